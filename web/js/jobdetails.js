// The Details cell of a job: what it is waiting for, its progress, or why it failed.
import { h } from "./dom.js";
import { formatCount } from "./format.js";

const MAX_ERRORS_SHOWN = 5;

export function renderDetails(job) {
  const total = job.rows_total ?? 0;
  const done = job.rows_done ?? 0;
  switch (job.status) {
    case "AWAITING_UPLOAD":
      return h("span", { class: "muted" }, "Waiting for upload");
    case "QUEUED":
      if (job.error) {
        return h("span", { class: "muted" }, `Retrying after an error: ${job.error.message}`);
      }
      return h(
        "span",
        { class: "muted" },
        total ? `${formatCount(total)} rows, waiting to start` : "Waiting to start",
      );
    case "PROCESSING": {
      const text = total ? `${formatCount(done)} / ${formatCount(total)} rows` : `${formatCount(done)} rows`;
      return h(
        "div",
        { class: "progress" },
        h("progress", {
          max: total || 1,
          value: total ? Math.min(done, total) : 0,
          "aria-label": `Rows scored in ${job.filename}`,
          "aria-valuetext": text,
        }),
        h("span", { class: "progress__text" }, text),
      );
    }
    case "SUCCEEDED":
      return h("span", {}, `${formatCount(done || total)} rows scored`);
    case "FAILED":
    case "REJECTED":
      return renderError(job.error);
    default:
      return null;
  }
}

function renderError(error) {
  if (!error) return h("span", { class: "error-text" }, "No details were recorded.");
  const details = error.details || [];
  const item = (detail) =>
    h("li", {}, h("span", { class: "error-where" }, where(detail)), " ", withoutPlace(detail));
  const shown = details.slice(0, MAX_ERRORS_SHOWN);
  const rest = details.slice(MAX_ERRORS_SHOWN);
  return h(
    "div",
    { class: "error-report" },
    h("p", { class: "error-text" }, error.message),
    shown.length > 0 && h("ul", { class: "error-list", "aria-label": "Errors" }, shown.map(item)),
    rest.length > 0 &&
      h(
        "details",
        {},
        h("summary", {}, `Show ${rest.length} more error${rest.length === 1 ? "" : "s"}`),
        h("ul", { class: "error-list" }, rest.map(item)),
      ),
  );
}

function where({ line, column }) {
  const parts = [];
  if (line !== null && line !== undefined) parts.push(`Line ${line}`);
  if (column) parts.push(`column “${column}”`);
  return parts.length > 0 ? `${parts.join(", ")}:` : "";
}

/** The message without a leading "line 3, column 'x':" that the list already shows. */
function withoutPlace({ line, message }) {
  return line === null || line === undefined
    ? message
    : message.replace(/^line \d+(, column '[^']*')?:\s*/i, "");
}
