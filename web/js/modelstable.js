// The Models view's tables. Explicit roles: on phones each row becomes a card (models.css).
import { h } from "./dom.js";

/** A column header cell. */
export function columnHeader(label) {
  return h("th", { role: "columnheader", scope: "col" }, label);
}

/** A models-table in its scrolling wrap; `naming` is its aria-label or aria-labelledby. */
export function modelsTable(naming, headers, rows) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "models-table", role: "table", ...naming },
      h("thead", { role: "rowgroup" }, h("tr", { role: "row" }, headers)),
      h("tbody", { role: "rowgroup" }, rows),
    ),
  );
}
