import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { auth } from "../../http/auth";
import { AUTH_ERRORS, IdParams, jsonRequestBody, ListQuery, listOf, problemResponses } from "../../http/schemas";
import { checkShape } from "../../http/validate";
import { createTemplate } from "./create-template";
import { deleteTemplate } from "./delete-template";
import { getTemplate } from "./get-template";
import { listTemplates } from "./list-templates";
import { CreateTemplateBody, TemplateSchema, UpdateTemplateBody } from "./model";
import { updateTemplate } from "./update-template";

export const templateRoutes = (deps: Deps) =>
  new Elysia({ prefix: "/api/v1/templates", detail: { tags: ["Templates"] } })
    .use(auth)
    .post("", async ({ principal, body, set }) => {
      const shape = checkShape(CreateTemplateBody, body);
      const template = await createTemplate(deps, { environment: principal.environment, template: shape.value, shapeErrors: shape.errors });
      set.status = 201;
      set.headers.location = `/api/v1/templates/${template.id}`;
      return template;
    }, {
      auth: "envelopes",
      parse: "json",
      response: { 201: TemplateSchema, ...problemResponses(...AUTH_ERRORS, 400, 415, 422) },
      detail: {
        operationId: "createTemplate",
        summary: "Create a template",
        description: "Documents, roles (`roleName`, `role`, `routingOrder`), fields bound to roles (the documents' text tags add theirs), message, locale and defaults. Checked by the envelope rules, the roles standing in for people: 422 lists every problem.",
        requestBody: jsonRequestBody(CreateTemplateBody),
      },
    })
    .get("", ({ principal, query }) => listTemplates(deps, principal.environment, query), {
      auth: "envelopes",
      query: ListQuery,
      response: { 200: listOf(TemplateSchema, "TemplateList"), ...problemResponses(...AUTH_ERRORS, 422) },
      detail: { operationId: "listTemplates", summary: "List templates, newest first" },
    })
    .get("/:id", ({ principal, params }) => getTemplate(deps, principal.environment, params.id), {
      auth: "envelopes",
      params: IdParams,
      response: { 200: TemplateSchema, ...problemResponses(...AUTH_ERRORS, 404) },
      detail: { operationId: "getTemplate", summary: "Get a template" },
    })
    .patch("/:id", ({ principal, params, body }) => {
      const shape = checkShape(UpdateTemplateBody, body);
      return updateTemplate(deps, { environment: principal.environment, templateId: params.id, patch: shape.value, shapeErrors: shape.errors });
    }, {
      auth: "envelopes",
      params: IdParams,
      parse: "json",
      response: { 200: TemplateSchema, ...problemResponses(...AUTH_ERRORS, 400, 404, 415, 422) },
      detail: {
        operationId: "updateTemplate",
        summary: "Update a template",
        description: "Only the members given change. Envelopes already made from the template keep what they copied.",
        requestBody: jsonRequestBody(UpdateTemplateBody),
      },
    })
    .delete("/:id", ({ principal, params }) => deleteTemplate(deps, principal.environment, params.id), {
      auth: "envelopes",
      params: IdParams,
      response: { 200: TemplateSchema, ...problemResponses(...AUTH_ERRORS, 404, 409) },
      detail: { operationId: "deleteTemplate", summary: "Delete a template (envelopes made from it are not affected); 409 template_in_use while a bulk send from it has rows to send" },
    });
