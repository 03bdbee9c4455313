import * as WireShapes from "./src/generated/WireShapes.js"
import { operations } from "./src/generated/Operations.js"
import { derivedOf } from "./src/internal/fake/instance.js"
const derived = derivedOf({ operations } as any) as Map<string, any>
for (const [name, d] of derived) {
  let s: any = WireShapes.responses[name]
  while (s?.ref) s = WireShapes.components[s.ref]
  const props = Object.keys(s?.properties ?? {})
  const meta = props.filter((p) => p.includes("metadata"))
  const params = (operations as any)[name].descriptor
  console.log(d.role.padEnd(14), name.padEnd(45), meta.join(","), (params.queryParams ?? []).filter((q: string) => /order/.test(q)).join(","))
}
