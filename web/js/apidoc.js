// Renders the API's own /openapi.json as a reference page (bundled, no outside renderer).
import { loadConfig } from "./config.js";
import { $, h } from "./dom.js";

const METHODS = ["get", "post", "put", "patch", "delete"];
// When the description declares no security, these are the API's public paths (DESIGN.md).
const PUBLIC_PATHS = new Set(["/health", "/openapi.json"]);

async function main() {
  try {
    const config = await loadConfig();
    const response = await fetch(`${config.apiUrl}/openapi.json`);
    if (!response.ok) throw new Error(`the API answered HTTP ${response.status}`);
    const spec = await response.json();
    render(spec, config.apiUrl);
    document.title = `${spec.info?.title || "API"} reference · batchscore`;
  } catch (error) {
    $("api-error").hidden = false;
    $("api-error").textContent = `The API description could not be loaded: ${error.message}.`;
  } finally {
    $("api-status").hidden = true;
  }
}

function render(spec, apiUrl) {
  const operations = collectOperations(spec);
  const groups = groupByTag(operations);
  const schemas = spec.components?.schemas || {};

  $("api-content").replaceChildren(
    renderIntro(spec, apiUrl),
    ...[...groups].map(([tag, ops]) =>
      h(
        "section",
        { class: "api-group", "aria-labelledby": slug(`tag-${tag}`) },
        h("h2", { id: slug(`tag-${tag}`) }, tag),
        ops.map((op) => renderOperation(op, spec)),
      ),
    ),
    Object.keys(schemas).length > 0 &&
      h(
        "section",
        { class: "api-group", "aria-labelledby": "schemas" },
        h("h2", { id: "schemas" }, "Schemas"),
        Object.entries(schemas).map(([name, schema]) => renderSchemaSection(name, schema)),
      ),
  );
  $("api-nav").replaceChildren(renderNav(groups, schemas));
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

function collectOperations(spec) {
  const operations = [];
  for (const [path, item] of Object.entries(spec.paths || {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      operations.push({
        path,
        method,
        operation,
        parameters: [...(item.parameters || []), ...(operation.parameters || [])],
        id: slug(`op-${method}-${path}`),
      });
    }
  }
  return operations.sort(
    (a, b) => a.path.localeCompare(b.path) || METHODS.indexOf(a.method) - METHODS.indexOf(b.method),
  );
}

function groupByTag(operations) {
  const groups = new Map();
  for (const op of operations) {
    const tag = op.operation.tags?.[0] || "Endpoints";
    if (!groups.has(tag)) groups.set(tag, []);
    groups.get(tag).push(op);
  }
  return groups;
}

function renderIntro(spec, apiUrl) {
  // Relative server URLs ("/") mean "where this description was served from".
  const servers = (spec.servers || []).map((s) => s.url).filter((url) => /^https?:/.test(url));
  if (servers.length === 0) servers.push(apiUrl);
  return h(
    "section",
    { class: "card api-intro", "aria-labelledby": "api-title" },
    h("h1", { id: "api-title" }, spec.info?.title || "API reference"),
    h("p", { class: "muted" }, `Version ${spec.info?.version || "unknown"} · OpenAPI ${spec.openapi || ""}`),
    spec.info?.description && paragraphs(spec.info.description),
    h(
      "dl",
      { class: "api-facts" },
      h("dt", {}, "Base URL"),
      servers.map((url) => h("dd", {}, h("code", {}, url))),
      h("dt", {}, "Authentication"),
      h(
        "dd",
        {},
        "Send a Cognito ID token as ",
        h("code", {}, "Authorization: Bearer <token>"),
        ". Operations marked “No sign-in” work without it.",
      ),
      h("dt", {}, "Errors"),
      h("dd", {}, "Every error answers ", h("code", {}, '{"error": {"code", "message", "details"}}'), "."),
    ),
  );
}

function renderNav(groups, schemas) {
  const link = (href, ...children) => h("li", {}, h("a", { href: `#${href}` }, children));
  return h(
    "div",
    {},
    [...groups].map(([tag, ops]) =>
      h(
        "div",
        { class: "api-nav__group" },
        h("p", { class: "api-nav__title" }, tag),
        h(
          "ul",
          {},
          ops.map((op) => link(op.id, methodBadge(op.method), " ", h("span", {}, op.path))),
        ),
      ),
    ),
    Object.keys(schemas).length > 0 &&
      h(
        "div",
        { class: "api-nav__group" },
        h("p", { class: "api-nav__title" }, "Schemas"),
        h(
          "ul",
          {},
          Object.keys(schemas).map((name) => link(slug(`schema-${name}`), name)),
        ),
      ),
  );
}

function renderOperation({ path, method, operation, parameters, id }, spec) {
  const needsAuth = requiresAuth(path, operation, spec);
  const body = operation.requestBody;
  return h(
    "article",
    { class: "card api-op", "aria-labelledby": id },
    h(
      "h3",
      { id, class: "api-op__title" },
      methodBadge(method),
      " ",
      h("code", { class: "api-op__path" }, path),
    ),
    h(
      "p",
      { class: "api-op__summary" },
      operation.summary || operation.operationId || "",
      h(
        "span",
        { class: `api-auth ${needsAuth ? "api-auth--required" : ""}` },
        needsAuth ? "Sign-in required" : "No sign-in",
      ),
    ),
    operation.description && paragraphs(operation.description),
    parameters.length > 0 && renderParameters(parameters.map((p) => resolve(p, spec))),
    body && renderBody(resolve(body, spec), spec),
    renderResponses(operation.responses || {}, spec),
  );
}

/** A titled part of an operation: its parameters, request body or responses. */
function apiBlock(heading, ...content) {
  return h("div", { class: "api-block" }, h("h4", {}, heading), ...content);
}

/** A table with a header row of `labels`. */
function apiTable(labels, rows) {
  return h(
    "table",
    { class: "api-table" },
    h("thead", {}, h("tr", {}, labels.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows),
  );
}

function renderParameters(parameters) {
  return apiBlock(
    "Parameters",
    h(
      "div",
      { class: "api-table-wrap" },
      apiTable(
        ["Name", "In", "Type", "Description"],
        parameters.map((p) =>
          h(
            "tr",
            {},
            h(
              "td",
              {},
              h("code", {}, p.name),
              p.required && h("span", { class: "api-required" }, " required"),
            ),
            h("td", {}, p.in),
            h("td", {}, typeName(p.schema || {})),
            h("td", {}, p.description || p.schema?.description || "", constraints(p.schema || {})),
          ),
        ),
      ),
    ),
  );
}

function renderBody(body, spec) {
  const [mediaType, media] = Object.entries(body.content || {})[0] || [];
  return apiBlock(
    ["Request body", mediaType && h("span", { class: "muted" }, ` (${mediaType})`)],
    body.description && h("p", {}, body.description),
    media?.schema && renderSchema(media.schema, spec),
  );
}

function renderResponses(responses, spec) {
  return apiBlock(
    "Responses",
    h(
      "dl",
      { class: "api-responses" },
      Object.entries(responses).map(([code, raw]) => {
        const response = resolve(raw, spec);
        const media = Object.values(response.content || {})[0];
        return [
          h("dt", {}, h("span", { class: `api-code api-code--${String(code)[0]}xx` }, code)),
          h("dd", {}, response.description || "", media?.schema && renderSchema(media.schema, spec)),
        ];
      }),
    ),
  );
}

function renderSchemaSection(name, schema) {
  const id = slug(`schema-${name}`);
  return h(
    "article",
    { class: "card api-op", "aria-labelledby": id },
    h("h3", { id }, name),
    schema.description && h("p", {}, schema.description),
    renderSchema(schema, null, { expandRefs: false }),
  );
}

/** An object schema as a property table; anything else as its type name. */
function renderSchema(schema, spec, { expandRefs = true } = {}) {
  const target = expandRefs && schema.$ref && spec ? resolve(schema, spec) : schema;
  if (target.type !== "object" && !target.properties) {
    return h("p", { class: "api-type" }, "Type: ", typeName(schema), constraints(target));
  }
  const required = new Set(target.required || []);
  const rows = Object.entries(target.properties || {}).map(([name, prop]) =>
    h(
      "tr",
      {},
      h(
        "td",
        {},
        h("code", {}, name),
        required.has(name) && h("span", { class: "api-required" }, " required"),
      ),
      h("td", {}, typeName(prop)),
      h("td", {}, prop.description || "", constraints(prop)),
    ),
  );
  return h(
    "div",
    { class: "api-table-wrap" },
    schema.$ref && h("p", { class: "api-type" }, "Schema: ", typeName(schema)),
    apiTable(
      ["Field", "Type", "Description"],
      rows.length ? rows : h("tr", {}, h("td", { colspan: 3 }, "Any JSON object")),
    ),
  );
}

/** A readable type: links to named schemas, "string | null" for optional values. */
function typeName(schema) {
  if (schema.$ref) {
    const name = schema.$ref.split("/").pop();
    return h("a", { href: `#${slug(`schema-${name}`)}` }, name);
  }
  const variants = schema.anyOf || schema.oneOf;
  if (variants) return joined(variants.map(typeName), " | ");
  if (schema.allOf?.length === 1) return typeName(schema.allOf[0]);
  if (schema.type === "array") return h("span", {}, "array of ", typeName(schema.items || {}));
  if (Array.isArray(schema.type)) return schema.type.join(" | ");
  const format = schema.format ? ` (${schema.format})` : "";
  return `${schema.type || (schema.const !== undefined ? "constant" : "any")}${format}`;
}

function constraints(schema) {
  const facts = [];
  if (schema.enum) facts.push(`one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`);
  if (schema.const !== undefined) facts.push(`always ${JSON.stringify(schema.const)}`);
  if (schema.minimum !== undefined) facts.push(`min ${schema.minimum}`);
  if (schema.maximum !== undefined) facts.push(`max ${schema.maximum}`);
  if (schema.minLength !== undefined) facts.push(`min length ${schema.minLength}`);
  if (schema.maxLength !== undefined) facts.push(`max length ${schema.maxLength}`);
  if (schema.pattern) facts.push(`pattern ${schema.pattern}`);
  if (schema.default !== undefined) facts.push(`default ${JSON.stringify(schema.default)}`);
  return facts.length > 0 && h("span", { class: "api-constraints" }, facts.join(" · "));
}

function requiresAuth(path, operation, spec) {
  const security = operation.security ?? spec.security;
  if (security === undefined) return !PUBLIC_PATHS.has(path);
  return security.length > 0 && !security.every((s) => Object.keys(s).length === 0);
}

function resolve(item, spec) {
  let current = item;
  for (let depth = 0; current?.$ref && depth < 10; depth += 1) {
    current = current.$ref
      .replace(/^#\//, "")
      .split("/")
      .reduce((node, key) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
  }
  return current || {};
}

function methodBadge(method) {
  return h("span", { class: `api-method api-method--${method}` }, method.toUpperCase());
}

function paragraphs(text) {
  return text.split(/\n{2,}/).map((part) => h("p", {}, part));
}

function joined(parts, separator) {
  return h(
    "span",
    {},
    parts.flatMap((part, i) => (i === 0 ? [part] : [separator, part])),
  );
}

function slug(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

main();
