/**
 * Every schema the generator emits, checked by property: a value of the type,
 * encoded to its wire form and decoded again, comes back equal. Plus a few
 * decodes of hand-written wire bodies for the lenient and strict corners.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import * as Schemas from "../src/generated/Schemas.js"
import * as Users from "../src/generated/Users.js"
import { loadGeneratedSchemas } from "./support/GeneratedSchemas.js"

const { declared, entries } = await loadGeneratedSchemas()

/** Whether some node reachable from `ast` satisfies `test`, following suspensions once. */
const reaches = (ast: AST.AST, test: (node: AST.AST) => boolean): boolean => {
  const seen = new Set<AST.AST>()
  const visit = (node: AST.AST): boolean => {
    if (seen.has(node)) return false
    seen.add(node)
    if (test(node)) return true
    switch (node._tag) {
      case "Union":
        return node.types.some(visit)
      case "TypeLiteral":
        return node.propertySignatures.some((p) => visit(p.type)) || node.indexSignatures.some((s) => visit(s.type))
      case "TupleType":
        return node.elements.some((e) => visit(e.type)) || node.rest.some((r) => visit(r.type))
      case "Transformation":
        return visit(node.from) || visit(node.to)
      case "Refinement":
        return visit(node.from)
      case "Suspend":
        return visit(node.f())
      case "Declaration":
        return node.typeParameters.some(visit)
      default:
        return false
    }
  }
  return visit(ast)
}

const typeSideObject = (ast: AST.AST): AST.TypeLiteral | undefined => {
  switch (ast._tag) {
    case "TypeLiteral":
      return ast
    case "Transformation":
      return typeSideObject(ast.to)
    case "Suspend":
      return typeSideObject(ast.f())
    case "Refinement":
      return typeSideObject(ast.from)
    default:
      return undefined
  }
}

/**
 * A union of objects told apart by a literal property the spec leaves optional
 * (`object` on the `verification_*` components). Without it, the first member that
 * fits wins and the fields only a later member knows are dropped.
 */
const isLossyUnion = (node: AST.AST): boolean => {
  if (node._tag !== "Union") return false
  const tagged = node.types
    .map(typeSideObject)
    .filter((o) => o?.propertySignatures.some((p) => p.isOptional && AST.isLiteral(p.type)))
  return tagged.length >= 2
}

/** Own `__proto__` keys anywhere in a value: see the `__proto__` test below for why they are left out. */
const hasOwnProtoKey = (value: unknown): boolean => {
  if (Array.isArray(value)) return value.some(hasOwnProtoKey)
  if (value === null || typeof value !== "object") return false
  return Object.hasOwn(value, "__proto__") || Object.values(value).some(hasOwnProtoKey)
}

/** A stable seed per schema, so a failure reproduces run after run. */
const seedOf = (id: string) => [...id].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 7)

const throughTheWire = (schema: Schema.Schema<any, any>) => {
  const encode = Schema.encodeEither(schema)
  const decode = Schema.decodeUnknownEither(schema)
  return (value: unknown): unknown => {
    const encoded = encode(value)
    if (Either.isLeft(encoded)) throw new Error(`encode failed: ${encoded.left.message}`)
    const decoded = decode(encoded.right)
    if (Either.isLeft(decoded)) throw new Error(`decode failed: ${decoded.left.message}`)
    return decoded.right
  }
}

const numRuns = 30

describe("generated schemas", () => {
  it("are all found", () => {
    expect(entries.map((e) => e.id).sort()).toEqual([...declared].sort())
    // A floor, so an import walk that quietly finds nothing cannot pass.
    expect(entries.length).toBeGreaterThan(400)
    console.info(
      `Schemas.test: ${entries.length} schemas from ${new Set(entries.map((e) => e.id.split(".")[0])).size} modules`
    )
  })

  it("all have an Arbitrary (Blob parts and free-form metadata included)", () => {
    const failing = entries.filter((e) => {
      try {
        Arbitrary.make(e.schema)
        return false
      } catch {
        return true
      }
    }).map((e) => e.id)
    expect(failing).toEqual([])
  })

  it("leave no union member's tag optional once decoded, so programs can narrow on it", () => {
    expect(entries.filter((e) => reaches(e.schema.ast, isLossyUnion)).map((e) => e.id)).toEqual([])
  })

  for (const { id, schema } of entries) {
    const trip = throughTheWire(schema)
    it(`${id} round-trips`, () => {
      FastCheck.assert(
        FastCheck.property(Arbitrary.make(schema), (value) => {
          FastCheck.pre(!hasOwnProtoKey(value))
          expect(trip(value)).toStrictEqual(value)
        }),
        { numRuns, seed: seedOf(id) }
      )
    })
  }
})

describe("decoding wire bodies", () => {
  const emailAddress = (verification: unknown, extra: Record<string, unknown> = {}) => ({
    id: "idn_1",
    object: "email_address",
    email_address: "ada@example.test",
    reserved: false,
    verification,
    linked_to: [],
    created_at: 1,
    updated_at: 2,
    ...extra
  })
  const decodeEmail = Schema.decodeUnknownEither(Schemas.EmailAddress)

  const members = {
    verification_otp: Schemas.VerificationOtp,
    verification_admin: Schemas.VerificationAdmin,
    verification_from_oauth: Schemas.VerificationFromOauth,
    verification_ticket: Schemas.VerificationTicket,
    verification_saml: Schemas.VerificationSaml,
    verification_email_link: Schemas.VerificationEmailLink,
    verification_scim: Schemas.VerificationScim
  } as const
  const common = { status: "verified", attempts: 1, expire_at: null }
  const variants: ReadonlyArray<readonly [keyof typeof members, Record<string, unknown>, Record<string, unknown>]> = [
    ["verification_otp", { strategy: "email_code", channel: "email" }, { strategy: "email_code", channel: "email" }],
    ["verification_admin", { strategy: "admin", verified_at_client: "client_1" }, {
      strategy: "admin",
      verifiedAtClient: "client_1"
    }],
    [
      "verification_from_oauth",
      { strategy: "oauth_google", error: { message: "m", long_message: "lm", code: "c" } },
      { strategy: "oauth_google", error: { message: "m", longMessage: "lm", code: "c" } }
    ],
    ["verification_ticket", { strategy: "ticket" }, { strategy: "ticket" }],
    [
      "verification_saml",
      { strategy: "saml", external_verification_redirect_url: "https://idp.test/start" },
      { strategy: "saml", externalVerificationRedirectUrl: "https://idp.test/start" }
    ],
    ["verification_email_link", { strategy: "email_link" }, { strategy: "email_link" }],
    ["verification_scim", { strategy: "scim" }, { strategy: "scim" }]
  ]

  it("covers every member of EmailAddress.verification", () => {
    expect(variants.map(([tag]) => tag).sort()).toEqual(Object.keys(members).sort())
  })

  for (const [tag, wire, decoded] of variants) {
    it(`decodes the ${tag} variant of EmailAddress.verification to its own shape`, () => {
      const result = decodeEmail(emailAddress({ object: tag, ...common, ...wire }))
      expect(Either.isRight(result)).toBe(true)
      const verification = Either.getOrThrow(result).verification
      expect(verification).toStrictEqual({ object: tag, status: "verified", attempts: 1, expireAt: null, ...decoded })
      // The literal `object` matches only its own member.
      for (const [other, member] of Object.entries<Schema.Schema<any, any>>(members)) {
        expect(Schema.is(member)(verification)).toBe(other === tag)
      }
    })
  }

  it("decodes a null verification", () => {
    expect(Either.getOrThrow(decodeEmail(emailAddress(null))).verification).toBeNull()
  })

  it("refuses a discriminator value no member declares", () => {
    expect(
      Either.isLeft(decodeEmail(emailAddress({ object: "verification_carrier_pigeon", ...common, strategy: "pigeon" })))
    ).toBe(true)
  })

  it("decodes response enum values the spec does not list", () => {
    const result = Either.getOrThrow(decodeEmail(emailAddress(
      { object: "verification_otp", status: "on_hold", strategy: "carrier_pigeon", attempts: 0, expire_at: 5 },
      { object: "email_address_v2" }
    )))
    expect(result.object).toBe("email_address_v2")
    expect(result.verification).toStrictEqual({
      object: "verification_otp",
      status: "on_hold",
      strategy: "carrier_pigeon",
      attempts: 0,
      expireAt: 5
    })
  })

  it("refuses request enum values the spec does not list", () => {
    const params = { userId: "user_1", amount: 5, idempotencyKey: "k1" }
    expect(
      Either.isRight(
        Schema.encodeUnknownEither(Users.AdjustBillingCreditBalanceParams)({ ...params, action: "increase" })
      )
    ).toBe(true)
    expect(
      Either.isLeft(
        Schema.encodeUnknownEither(Users.AdjustBillingCreditBalanceParams)({ ...params, action: "sideways" })
      )
    ).toBe(true)
  })

  it("ignores properties the spec does not declare, at any depth", () => {
    const result = Either.getOrThrow(decodeEmail(emailAddress(
      { object: "verification_otp", ...common, strategy: "email_code", added_later: { deep: true } },
      { added_later: 1, addedLater: 2 }
    )))
    expect(result).toStrictEqual({
      id: "idn_1",
      object: "email_address",
      emailAddress: "ada@example.test",
      reserved: false,
      verification: {
        object: "verification_otp",
        status: "verified",
        strategy: "email_code",
        attempts: 1,
        expireAt: null
      },
      linkedTo: [],
      createdAt: 1,
      updatedAt: 2
    })
  })

  it("ignores undeclared properties on generated values of large schemas", () => {
    for (
      const schema of [Schemas.User, Schemas.Organization, Schemas.Session, Schemas.Client] as ReadonlyArray<
        Schema.Schema<any, any>
      >
    ) {
      const encode = Schema.encodeSync(schema)
      const decode = Schema.decodeUnknownSync(schema)
      FastCheck.assert(
        FastCheck.property(Arbitrary.make(schema), (value) => {
          FastCheck.pre(!hasOwnProtoKey(value))
          const wire = encode(value)
          expect(decode({ ...wire, zz_field_from_the_future: { x: 1 } })).toStrictEqual(decode(wire))
        }),
        { numRuns: 10, seed: 42 }
      )
    }
  })

  // The spec leaves `object` optional on the verification_* components. A body without it decodes as
  // the first member (most required fields first) that accepts it, and carries that member's tag.
  it("gives a verification without its tag the tag of the member that decoded it", () => {
    const untagged = { status: "verified", strategy: "email_code", attempts: 1, expire_at: null }
    const result = decodeEmail(emailAddress(untagged))
    expect(Either.isRight(result) && result.right.verification).toEqual({
      object: "verification_otp",
      status: "verified",
      strategy: "email_code",
      attempts: 1,
      expireAt: null
    })
  })

  // A record schema would rebuild the object with `output[key] = value`, turning an own `__proto__`
  // key (which JSON.parse produces) into the prototype; free-form metadata is passed through instead.
  it("keeps a metadata key named __proto__ as data, not as the prototype", () => {
    const wire = JSON.parse("{\"errors\": [], \"meta\": {\"__proto__\": {\"isAdmin\": true}, \"plain\": 1}}")
    const meta: Record<string, unknown> = Schema.decodeUnknownSync(Schemas.ClerkErrors)(wire).meta!
    expect(Object.getPrototypeOf(meta)).toBe(Object.prototype)
    expect(Object.keys(meta).sort()).toEqual(["__proto__", "plain"])
    expect("isAdmin" in meta).toBe(false)
  })
})
