/**
 * What both lines' Prism conformance tests share: the static-mode bodies that cannot decode, and how an
 * exchange with Prism is judged (refused or accepted, and whether Prism blames its own body).
 */
import { expect } from "vitest"
import type { Operation } from "../../scripts/generator/operations.js"
import type { Exchange } from "./Prism.js"

/** The exchanges of one call; what failed is given by each line in its own terms. */
export interface Exchanges {
  readonly exchanges: ReadonlyArray<Exchange>
}

/** A call's failure as the tests read it: a typed error of either line, or a defect's text. */
export type Failure = string | { readonly _tag: string; readonly message: string; readonly path?: unknown }

/**
 * Static-mode answers that cannot decode because Prism's placeholder body breaks
 * the spec itself: operationId → the body path the decode error must point at, and why.
 */
export const staticDecodeExceptions: Readonly<Record<string, { readonly path: string; readonly reason: string }>> =
  (() => {
    // `saml_connection` of a SAML account is a nullable oneOf of two connection shapes; Prism's placeholder is `{}`,
    // which is neither (its own sl-violations header says so), and `id` is the first required field missing.
    const samlAccount = "Prism renders the nullable oneOf saml_accounts[].saml_connection as {}, matching no member"
    // SAMLConnection requires its fields and adds `anyOf: [{required: [domain]}, {required: [domains]}]`;
    // Prism gives up on the combination and answers `{}`, so the first required field, `object`, is missing.
    const samlConnection = "Prism renders SAMLConnection (required fields plus an anyOf of required lists) as {}"
    const user = { path: "saml_accounts[0].saml_connection.id", reason: samlAccount }
    const users = { path: "[0].saml_accounts[0].saml_connection.id", reason: samlAccount }
    return {
      GetUserList: users,
      UsersBan: users,
      UsersUnban: users,
      CreateUser: user,
      GetUser: user,
      UpdateUser: user,
      BanUser: user,
      UnbanUser: user,
      LockUser: user,
      UnlockUser: user,
      SetUserProfileImage: user,
      DeleteUserProfileImage: user,
      ReplaceUserMetadata: user,
      UpdateUserMetadata: user,
      RemoveUserPassword: user,
      SetUserPasswordCompromised: user,
      UnsetUserPasswordCompromised: user,
      ListSAMLConnections: { path: "data[0].object", reason: samlConnection },
      CreateSAMLConnection: { path: "object", reason: samlConnection },
      GetSAMLConnection: { path: "object", reason: samlConnection },
      UpdateSAMLConnection: { path: "object", reason: samlConnection }
    }
  })()

/** Every reason Prism refused the request: request-located violations, problem documents, non-2xx answers. */
export const refusals = (outcome: Exchanges): ReadonlyArray<string> => {
  const reasons: Array<string> = []
  for (const exchange of outcome.exchanges) {
    for (const v of exchange.violations) {
      if (v.location[0] !== "response") reasons.push(`${v.severity} ${v.code} at ${v.location.join(".")}: ${v.message}`)
    }
    if (exchange.contentType.includes("problem+json") || exchange.status < 200 || exchange.status >= 300) {
      reasons.push(`HTTP ${exchange.status} ${exchange.contentType}: ${exchange.errorBody ?? ""}`.slice(0, 2_000))
    }
  }
  return reasons
}

export const describeFailure = (failure: Failure): string =>
  typeof failure === "string"
    ? failure
    : `${failure._tag}: ${failure.message}${"path" in failure ? ` (path ${failure.path})` : ""}`

/**
 * Whether Prism's own `sl-violations` say its response body lacks the field at `path`
 * (a decode path such as `data[0].object`): a `required` violation on the parent object naming the field.
 */
export const prismBlames = (outcome: Exchanges, path: string): boolean => {
  const segments = path.replace(/\[(\d+)\]/g, ".$1").split(".").filter((segment) => segment !== "")
  const field = segments.pop()
  const parent = ["response", "body", ...segments].join(".")
  return outcome.exchanges.some((exchange) =>
    exchange.violations.some((v) =>
      v.code === "required" && v.location.join(".") === parent && v.message.includes(`'${field}'`)
    )
  )
}

/** The operation's path template as a pattern over request paths (any non-empty segment for a parameter). */
const pathPattern = (op: Operation): RegExp =>
  new RegExp(`^${op.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`)

/** The request was sent once, to the operation's method and path, and Prism accepted it. */
export const expectAccepted = (op: Operation, outcome: Exchanges) => {
  expect(outcome.exchanges.length, `${op.operationId}: expected exactly one HTTP exchange`).toBe(1)
  const exchange = outcome.exchanges[0]!
  expect(exchange.method).toBe(op.method)
  expect(exchange.url.split("?")[0]).toMatch(pathPattern(op))
  expect(refusals(outcome), `${op.operationId} (${op.method} ${op.path}) was refused by Prism`).toEqual([])
}
