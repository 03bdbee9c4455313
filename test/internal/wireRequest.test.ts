import { describe, expect, it } from "@effect/vitest"
import { pathParamProblem, wireRequest } from "../../src/internal/wireRequest.js"

const api = "https://api.example.test/v1"

describe("wireRequest", () => {
  it("fills the path (encoded), sends query arrays repeated or comma-joined, and keeps false and 0", () => {
    const parts = wireRequest(
      {
        path: "/users/{user_id}",
        pathParams: ["user_id"],
        queryParams: ["a", "b", "c", "d", "e"],
        commaQueryParams: ["b"]
      },
      api,
      { user_id: "u/1 ?", a: ["x", "y"], b: ["x", "y"], c: false, d: 0, e: null }
    )
    expect(parts.url).toBe(`${api}/users/u%2F1%20%3F`)
    expect(parts.urlParams).toEqual([["a", "x"], ["a", "y"], ["b", "x,y"], ["c", "false"], ["d", "0"]])
    expect(parts.body).toEqual({ _tag: "None" })
  })

  it("puts what the path and query did not take into a JSON body, and sends none when nothing is left", () => {
    const shape = { path: "/x/{id}", pathParams: ["id"], queryParams: ["q"], body: "json" as const }
    expect(wireRequest(shape, api, { id: "1", q: "s", name: "n", gone: undefined }).body).toEqual({
      _tag: "Json",
      text: "{\"name\":\"n\"}"
    })
    expect(wireRequest(shape, api, { id: "1" }).body).toEqual({ _tag: "None" })
    expect(wireRequest({ ...shape, body: "json-required" }, api, { id: "1" }).body).toEqual({
      _tag: "Json",
      text: "{}"
    })
  })

  it("sends an array body from its parameter, and a multipart form with blobs as parts", () => {
    expect(wireRequest({ path: "/b", body: "json", arrayBody: "items" }, api, { items: [1, 2] }).body).toEqual({
      _tag: "Json",
      text: "[1,2]"
    })
    expect(wireRequest({ path: "/b", body: "json", arrayBody: "items" }, api, {}).body).toEqual({ _tag: "None" })
    const blob = new Blob(["png"])
    const parts = wireRequest({ path: "/f", body: "multipart" }, api, { file: blob, n: 3, skip: null })
    if (parts.body._tag !== "Form") expect.fail("a form body")
    expect(parts.body.form.get("n")).toBe("3")
    expect(parts.body.form.get("file")).toBeInstanceOf(Blob)
    expect(parts.body.form.has("skip")).toBe(false)
  })

  it("refuses a path parameter that is empty (it would address the list) or not well-formed text", () => {
    const shape = { path: "/users/{user_id}", pathParams: ["user_id"] }
    expect(pathParamProblem(shape, { user_id: "" })?.param).toBe("user_id")
    expect(pathParamProblem(shape, { user_id: "a\uD800" })?.message).toContain("lone surrogate")
    expect(pathParamProblem(shape, { user_id: "\uDC00b" })?.param).toBe("user_id")
    expect(pathParamProblem(shape, { user_id: "user_\uD83D\uDE00" })).toBeUndefined()
    expect(pathParamProblem(shape, { user_id: "u/1 ?" })).toBeUndefined()
  })
})
