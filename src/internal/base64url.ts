/**
 * Base64url (RFC 4648 §5, unpadded) and plain base64, on `atob`/`btoa`, which every supported runtime has.
 *
 * @internal
 */

const textEncoder = new TextEncoder()

const toBinary = (bytes: Uint8Array): string => {
  let binary = ""
  // In chunks: String.fromCharCode takes its bytes as arguments, and a long key would overflow the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return binary
}

const fromBinary = (binary: string): Uint8Array<ArrayBuffer> => {
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** Encodes bytes, or a string as UTF-8, unpadded. */
export const encode = (input: string | Uint8Array): string =>
  btoa(toBinary(typeof input === "string" ? textEncoder.encode(input) : input))
    .replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")

/** Decodes base64url, padded or not; throws on a character outside the alphabet or an impossible length. */
export const decode = (input: string): Uint8Array<ArrayBuffer> =>
  fromBinary(atob(input.replace(/-/g, "+").replace(/_/g, "/")))

/** Decodes plain base64 (a PEM body), whitespace ignored; throws on anything else. */
export const decodeBase64 = (input: string): Uint8Array<ArrayBuffer> => fromBinary(atob(input.replace(/\s+/g, "")))
