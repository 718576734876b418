import { describe, expect, it } from "vitest";
import { pathTemplate } from "./path-template.js";

describe("pathTemplate", () => {
  it("templates numeric query values so paginated requests share one template", () => {
    expect(pathTemplate("/api/v1/sales?page=81")).toBe("/api/v1/sales?page=:n");
    expect(pathTemplate("/api/v1/sales?page=82")).toBe("/api/v1/sales?page=:n");
  });

  it("marks non-numeric query values as :v so a malformed page stands apart", () => {
    expect(pathTemplate("/api/v1/sales?page=79/")).toBe("/api/v1/sales?page=:v");
  });

  it("templates numeric, uuid and long hex path segments but keeps words", () => {
    expect(pathTemplate("/users/42/orders/0f8fad5b-d9cb-469f-a165-70867728950e/items/deadbeef1234")).toBe(
      "/users/:n/orders/:uuid/items/:hex",
    );
    expect(pathTemplate("/cafe/add/facade")).toBe("/cafe/add/facade");
  });

  it("keeps paths without a query, odd slashes and empty values as sent", () => {
    expect(pathTemplate("/api/v1//api/v1/items")).toBe("/api/v1//api/v1/items");
    expect(pathTemplate("/search?q=&lang=en")).toBe("/search?q=&lang=:v");
    expect(pathTemplate("/flag?debug")).toBe("/flag?debug");
    expect(pathTemplate("/x?")).toBe("/x?");
  });
});
