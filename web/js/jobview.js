// One job in full, in a dialog: every field, then every problem and every warning, paged.
import { $, h } from "./dom.js";
import {
  formatBytes,
  formatCount,
  formatDateTime,
  formatDuration,
  modelParts,
  statusLabel,
} from "./format.js";
import { problemItem, problemsOf, warningCount } from "./jobdetails.js";
import { driftSection } from "./driftchart.js";

export const PAGE_SIZE = 20;

export class JobView {
  constructor({ api }) {
    this.api = api;
    this.dialog = $("job-dialog");
    this.opener = null;
    $("job-dialog-close").addEventListener("click", () => this.dialog.close());
    this.dialog.addEventListener("close", () => {
      if (this.opener?.isConnected) this.opener.focus();
    });
  }

  /** Shows `job` at once, then its latest state from the API (the list may be a poll behind). */
  async open(job) {
    this.opener = document.activeElement;
    this.#render(job);
    if (!this.dialog.open) this.dialog.showModal();
    try {
      const fresh = await this.api.getJob(job.job_id);
      // Only a changed job is drawn again: a redraw would send the lists back to their first page.
      const changed = JSON.stringify(fresh) !== JSON.stringify(job);
      if (changed && this.dialog.open && this.jobId === fresh.job_id) this.#render(fresh);
    } catch {
      // the job as listed stays shown
    }
  }

  #render(job) {
    this.jobId = job.job_id;
    $("job-dialog-title").textContent = job.filename;
    const model = modelParts(job);
    const facts = [
      ["Job id", h("code", {}, job.job_id)],
      ["Status", statusLabel(job.status)],
      ["Source", job.source],
      ["Size", job.size_bytes ? formatBytes(job.size_bytes) : ""],
      ["Submitted", formatDateTime(job.created_at)],
      ["Started", job.started_at ? formatDateTime(job.started_at) : ""],
      ["Finished", job.finished_at ? formatDateTime(job.finished_at) : ""],
      ["Duration", formatDuration(job.duration_ms)],
      ["Rows", rowsText(job)],
      ["Model", [model.name, model.version].filter(Boolean).join(" · ")],
    ].filter(([, value]) => value);
    const body = [
      h(
        "dl",
        { class: "facts" },
        facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]),
      ),
    ];
    if (job.error) {
      body.push(h("p", { class: "error-text" }, job.error.message));
      const problems = problemsOf(job.error);
      if (problems.length > 0) {
        body.push(
          pagedList({ id: "job-problems", title: "Problems", items: problems, total: problems.length }),
        );
      }
    }
    const warnings = job.warnings || [];
    if (warningCount(job) > 0) {
      body.push(
        pagedList({
          id: "job-warnings",
          title: "Warnings",
          note: "Values that were scored anyway: empty cells filled in as in training, values outside the training range.",
          items: warnings,
          total: warningCount(job),
        }),
      );
    }
    const drift = driftSection(job.drift);
    if (drift) body.push(drift);
    $("job-dialog-body").replaceChildren(...body);
  }
}

function rowsText(job) {
  if (job.rows_total === null || job.rows_total === undefined) return formatCount(job.rows_done ?? 0);
  const parts = [`${formatCount(job.rows_done ?? 0)} of ${formatCount(job.rows_total)} scored`];
  if (job.rows_rejected) parts.push(`${formatCount(job.rows_rejected)} rejected`);
  return parts.join(", ");
}

/** A titled list shown PAGE_SIZE items at a time, with Previous / Next. */
function pagedList({ id, title, note = "", items, total }) {
  const list = h("ol", { class: "error-list paged__list", id: `${id}-list`, "aria-labelledby": `${id}-title` });
  const label = h("span", { class: "pager__label", "aria-live": "polite" });
  const previous = h("button", { type: "button", class: "button button--ghost button--small" }, "Previous");
  const next = h("button", { type: "button", class: "button button--ghost button--small" }, "Next");
  previous.setAttribute("aria-label", `Previous ${title.toLowerCase()}`);
  next.setAttribute("aria-label", `Next ${title.toLowerCase()}`);
  let page = 0;
  const pages = Math.max(1, Math.ceil(items.length / PAGE_SIZE));
  const show = () => {
    const start = page * PAGE_SIZE;
    const shown = items.slice(start, start + PAGE_SIZE);
    list.start = start + 1;
    list.replaceChildren(...shown.map(problemItem));
    const unlisted = total > items.length ? ` (${formatCount(total)} in all, the first ${formatCount(items.length)} listed)` : "";
    label.textContent =
      items.length === 0
        ? `${formatCount(total)} in all, none listed`
        : `${formatCount(start + 1)}–${formatCount(start + shown.length)} of ${formatCount(items.length)}${unlisted}`;
    previous.disabled = page === 0;
    next.disabled = page >= pages - 1;
  };
  previous.addEventListener("click", () => {
    page -= 1;
    show();
  });
  next.addEventListener("click", () => {
    page += 1;
    show();
  });
  show();
  return h(
    "section",
    { class: "paged", id, "aria-labelledby": `${id}-title` },
    h("h3", { id: `${id}-title` }, `${title} (${formatCount(total)})`),
    note && h("p", { class: "muted small" }, note),
    list,
    pages > 1 && h("nav", { class: "pager", "aria-label": `${title} pages` }, previous, label, next),
    pages <= 1 && h("p", { class: "muted small" }, label),
  );
}
