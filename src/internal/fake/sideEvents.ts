/**
 * Events an operation causes beside its own, queued in the store by the resource modules and recorded by the
 * instance once the operation has answered: the sessions a ban revokes, each invitation of a batch, the emails
 * Clerk sends.
 *
 * @internal
 */
import type { FakeStore } from "./store.js"

/** Queues the `session.revoked` of a session revoked beside an operation's own change (a ban, a password reset). */
export const sessionRevoked = (store: FakeStore, session: unknown): void => {
  store.sideEvents.push({ type: "session.revoked", encodeAs: "sessions.get", value: session })
}

/** Queues an event an operation causes beside its own, of a resource in decoded form (an invitation of a batch). */
export const alsoCaused = (store: FakeStore, type: string, encodeAs: string, value: unknown): void => {
  store.sideEvents.push({ type, encodeAs, value })
}

/**
 * Queues the `email.created` of an email Clerk sends (an invitation's), in the wire form of the webhook's email
 * payload: Clerk reports every email it sends, so an application that delivers its own can take over.
 */
export const emailSent = (
  store: FakeStore,
  now: number,
  email: { readonly to: string; readonly slug: string; readonly subject: string; readonly data: object }
): void => {
  const body = `${email.subject}: ${JSON.stringify(email.data)}`
  store.sideEvents.push({
    type: "email.created",
    wire: {
      object: "email",
      id: store.ids.next("ema", now),
      slug: email.slug,
      from_email_name: "notifications",
      reply_to_email_name: null,
      to_email_address: email.to,
      email_address_id: null,
      user_id: null,
      subject: email.subject,
      body: `<p>${body.replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c]!)}</p>`,
      body_plain: body,
      status: "queued",
      data: email.data,
      delivered_by_clerk: true
    }
  })
}
