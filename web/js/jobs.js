// The jobs panel: newest first, filtered and paged, updating by itself while jobs run, with
// a notice when a job ends and the per-job actions (download, retry, archive, delete).
import { $, h } from "./dom.js";
import {
  ACTIVE_STATUSES,
  formatBytes,
  formatCount,
  formatDateTime,
  formatDuration,
  formatRelative,
  modelParts,
  shortId,
  statusLabel,
} from "./format.js";
import { renderDetails } from "./jobdetails.js";
import { notifyBrowser, toast } from "./notify.js";

const PAGE_SIZE = 10;
const FAST_POLL_MS = 1000; // while a job runs: progress is written every second
const SLOW_POLL_MS = 15000;

const isActive = (job) => ACTIVE_STATUSES.has(job.status);

export class JobsPanel {
  constructor({ api, confirm, showJob = () => {} }) {
    this.api = api;
    this.confirm = confirm;
    this.showJob = showJob;
    this.archivedView = false;
    this.statusFilter = "";
    this.pageTokens = [""];
    this.pageIndex = 0;
    this.nextToken = null;
    this.jobs = [];
    this.pending = new Map(); // jobs created here that the list may not show yet
    this.watched = new Set(); // active jobs whose end we announce, wherever they are listed
    this.lastStatus = new Map();
    this.rows = new Map();
    this.timer = null;
    this.running = false;
    this.latestRequest = 0; // answers to older list requests (another filter, page) are dropped
    this.#bindEvents();
  }

  start() {
    this.running = true;
    this.refresh();
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
    this.jobs = [];
    this.pending.clear();
    this.watched.clear();
    this.lastStatus.clear();
    this.rows.clear();
    $("jobs-body").replaceChildren();
  }

  /** A job created by the upload panel: shown at once, then followed until it ends. */
  addCreatedJob(job) {
    this.pending.set(job.job_id, job);
    this.watched.add(job.job_id);
    this.lastStatus.set(job.job_id, job.status);
    this.#render();
    this.#reveal(job.job_id);
  }

  /** Scrolls a job's row into view, so that the analyst can watch the job they just started. */
  #reveal(jobId) {
    const row = this.rows.get(jobId)?.element;
    if (row?.isConnected) row.scrollIntoView({ block: "nearest" });
  }

  async refresh() {
    if (!this.running) return;
    clearTimeout(this.timer);
    const request = ++this.latestRequest;
    $("jobs-table").setAttribute("aria-busy", "true");
    try {
      const page = await this.api.listJobs({
        status: this.statusFilter,
        archived: this.archivedView,
        limit: PAGE_SIZE,
        nextToken: this.pageTokens[this.pageIndex],
      });
      if (!this.running || request !== this.latestRequest) return;
      this.jobs = page.items.filter((job) => Boolean(job.archived) === this.archivedView);
      this.nextToken = page.next_token || null;
      for (const job of this.jobs) this.pending.delete(job.job_id);
      this.#track(this.jobs);
      await this.#followWatchedElsewhere();
      if (request !== this.latestRequest) return;
      this.#render();
      $("jobs-updated").textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      if (this.running) $("jobs-updated").textContent = `Could not update the list: ${error.message}`;
    } finally {
      if (request === this.latestRequest) {
        $("jobs-table").setAttribute("aria-busy", "false");
        this.#schedule();
      }
    }
  }

  #schedule() {
    if (!this.running) return;
    const busy = this.watched.size > 0 || this.jobs.some(isActive);
    const delay = busy && !document.hidden ? FAST_POLL_MS : SLOW_POLL_MS;
    this.timer = setTimeout(() => this.refresh(), delay);
  }

  /** Polls the watched jobs that the current page does not show (other filter or page). */
  async #followWatchedElsewhere() {
    const shown = new Set(this.jobs.map((job) => job.job_id));
    const elsewhere = [...this.watched].filter((id) => !shown.has(id));
    const jobs = await Promise.all(
      elsewhere.map((id) =>
        this.api.getJob(id).catch((error) => {
          if (error.status === 404) this.watched.delete(id);
          return null;
        }),
      ),
    );
    this.#track(jobs.filter(Boolean));
    for (const job of jobs.filter(Boolean)) {
      if (this.pending.has(job.job_id)) this.pending.set(job.job_id, job);
    }
  }

  /** Records statuses and announces the jobs that have just ended. */
  #track(jobs) {
    for (const job of jobs) {
      const before = this.lastStatus.get(job.job_id);
      this.lastStatus.set(job.job_id, job.status);
      if (isActive(job)) {
        this.watched.add(job.job_id);
        continue;
      }
      this.watched.delete(job.job_id);
      if (before && ACTIVE_STATUSES.has(before)) this.#announceEnd(job);
    }
  }

  #announceEnd(job) {
    const label = statusLabel(job.status).toLowerCase();
    const message =
      job.status === "SUCCEEDED"
        ? `${job.filename} succeeded: ${formatCount(job.rows_done ?? job.rows_total ?? 0)} rows scored.`
        : `${job.filename} ${label}: ${job.error?.message || "see the jobs list for details"}.`;
    toast(message, { kind: job.status === "SUCCEEDED" ? "success" : "error" });
    notifyBrowser(`batchscore: ${job.filename} ${label}`, message);
  }

  #visibleJobs() {
    const matches = (job) =>
      !this.archivedView && this.pageIndex === 0 && (!this.statusFilter || job.status === this.statusFilter);
    const pending = [...this.pending.values()].filter(matches);
    const jobs = [...pending, ...this.jobs];
    return jobs.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
  }

  #render() {
    const jobs = this.#visibleJobs();
    const focusedRow = document.activeElement?.closest("tr[data-job-id]");
    const focus = focusedRow && {
      element: document.activeElement,
      jobId: focusedRow.dataset.jobId,
      label: document.activeElement.textContent,
    };

    const rows = jobs.map((job) => {
      const signature = JSON.stringify(job);
      let row = this.rows.get(job.job_id);
      if (!row || row.signature !== signature) {
        row = { signature, element: this.#renderRow(job) };
        this.rows.set(job.job_id, row);
      }
      const time = row.element.querySelector("time");
      time.textContent = formatRelative(job.created_at);
      return row.element;
    });
    // Moving a focused element blurs it: the rows are only replaced when the list changed.
    const shown = [...$("jobs-body").children];
    if (shown.length !== rows.length || shown.some((element, i) => element !== rows[i])) {
      $("jobs-body").replaceChildren(...rows);
    }
    for (const id of this.rows.keys()) {
      if (!jobs.some((job) => job.job_id === id)) this.rows.delete(id);
    }
    if (focus && document.activeElement !== focus.element) this.#restoreFocus(focus);

    $("jobs-empty").hidden = jobs.length > 0;
    $("jobs-empty").textContent = this.#emptyText();
    $("jobs-pager").hidden = this.pageIndex === 0 && !this.nextToken;
    $("prev-page").disabled = this.pageIndex === 0;
    $("next-page").disabled = !this.nextToken;
    $("page-label").textContent = `Page ${this.pageIndex + 1}`;
  }

  #restoreFocus({ jobId, label }) {
    const row = this.rows.get(jobId)?.element;
    const target = row && [...row.querySelectorAll("button")].find((b) => b.textContent === label);
    (target || $("jobs-title")).focus();
  }

  #emptyText() {
    if (this.archivedView) return "No archived jobs.";
    if (this.statusFilter) return `No ${statusLabel(this.statusFilter).toLowerCase()} jobs.`;
    return "No jobs yet. Upload a CSV file above to score it.";
  }

  #renderRow(job) {
    const nameId = `job-${job.job_id}-name`;
    const described = { "aria-describedby": nameId };
    const actions = [
      this.#button("Details", described, () => this.showJob(job), "button--ghost"),
    ];
    if (job.status === "SUCCEEDED") {
      actions.push(this.#button("Download", described, () => this.#download(job), "button--primary"));
    }
    if (job.status === "FAILED" || job.status === "REJECTED") {
      actions.push(this.#button("Retry", described, () => this.#retry(job)));
    }
    if (this.archivedView) {
      actions.push(this.#button("Unarchive", described, () => this.#archive(job, false)));
    } else if (!isActive(job)) {
      actions.push(this.#button("Archive", described, () => this.#archive(job, true)));
    }
    actions.push(this.#button("Delete", described, () => this.#delete(job), "button--danger-ghost"));

    const facts = [
      h("code", { class: "job-id", title: `Job ${job.job_id}` }, shortId(job.job_id)),
      job.size_bytes && formatBytes(job.size_bytes),
      job.source,
    ].filter(Boolean);
    const model = modelParts(job);
    const took = job.duration_ms !== null && job.duration_ms !== undefined;
    return h(
      "tr",
      { role: "row", "data-job-id": job.job_id, "data-status": job.status },
      h(
        "td",
        { role: "cell", class: "cell-file" },
        h("span", { class: "file-name", id: nameId }, job.filename),
        h(
          "span",
          { class: "file-meta" },
          facts.map((fact) => h("span", { class: "fact" }, fact)),
        ),
        (model.name || model.version) &&
          h(
            "span",
            { class: "file-meta file-model", title: `Model ${job.model_version || model.name}` },
            h("span", { class: "fact" }, "model ", model.name || model.version),
            model.name && model.version && h("code", { class: "fact" }, model.version),
          ),
      ),
      h(
        "td",
        { role: "cell", class: "cell-time" },
        h("time", { datetime: job.created_at, title: formatDateTime(job.created_at) }),
        took && h("span", { class: "file-meta" }, `took ${formatDuration(job.duration_ms)}`),
      ),
      h(
        "td",
        { role: "cell", class: "cell-status" },
        h("span", { class: `badge badge--${job.status.toLowerCase()}` }, statusLabel(job.status)),
      ),
      h("td", { role: "cell", class: "cell-details" }, renderDetails(job, { showJob: this.showJob })),
      h("td", { role: "cell", class: "cell-actions" }, h("div", { class: "actions" }, actions)),
    );
  }

  #button(label, attributes, onclick, modifier = "") {
    return h(
      "button",
      { type: "button", class: `button button--small ${modifier}`, ...attributes, onclick },
      label,
    );
  }

  async #download(job) {
    try {
      const { url } = await this.api.getResult(job.job_id);
      const name = resultName(job.filename);
      const link = h("a", { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      toast(`Downloading ${name} (${shortId(job.job_id)}): see your browser's downloads.`, {
        kind: "success",
      });
    } catch (error) {
      toast(`Cannot download ${job.filename}: ${error.message}`, { kind: "error" });
    }
  }

  async #retry(job) {
    try {
      const updated = await this.api.retryJob(job.job_id);
      this.lastStatus.set(job.job_id, updated?.status || "QUEUED");
      this.watched.add(job.job_id);
      toast(`${job.filename} is queued again.`);
    } catch (error) {
      toast(`Cannot retry ${job.filename}: ${error.message}`, { kind: "error" });
    }
    await this.refresh();
  }

  async #archive(job, archived) {
    try {
      await this.api.archiveJob(job.job_id, archived);
      const undo = { label: "Undo", run: () => this.#archive(job, !archived) };
      toast(`${job.filename} ${archived ? "archived" : "moved back to active jobs"}.`, { action: undo });
    } catch (error) {
      toast(`Cannot ${archived ? "archive" : "unarchive"} ${job.filename}: ${error.message}`, {
        kind: "error",
      });
    }
    await this.refresh();
  }

  async #delete(job) {
    const confirmed = await this.confirm({
      title: "Delete job?",
      text: `${job.filename} and its results will be deleted. This cannot be undone.`,
      action: "Delete job",
    });
    if (!confirmed) return;
    try {
      await this.api.deleteJob(job.job_id);
      this.pending.delete(job.job_id);
      this.watched.delete(job.job_id);
      toast(`${job.filename} deleted.`);
    } catch (error) {
      toast(`Cannot delete ${job.filename}: ${error.message}`, { kind: "error" });
    }
    await this.refresh();
  }

  #bindEvents() {
    const setView = (archived) => {
      this.archivedView = archived;
      $("view-active").setAttribute("aria-pressed", String(!archived));
      $("view-archived").setAttribute("aria-pressed", String(archived));
      this.#resetPaging();
    };
    $("view-active").addEventListener("click", () => setView(false));
    $("view-archived").addEventListener("click", () => setView(true));
    $("status-filter").addEventListener("change", (event) => {
      this.statusFilter = event.target.value;
      this.#resetPaging();
    });
    $("refresh-jobs").addEventListener("click", () => this.refresh());
    $("next-page").addEventListener("click", () => this.#goToPage(this.pageIndex + 1));
    $("prev-page").addEventListener("click", () => this.#goToPage(this.pageIndex - 1));
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.refresh();
    });
  }

  #resetPaging() {
    this.pageTokens = [""];
    this.pageIndex = 0;
    this.rows.clear();
    this.refresh();
  }

  #goToPage(index) {
    if (index > this.pageIndex) this.pageTokens[index] = this.nextToken;
    this.pageIndex = index;
    this.refresh();
  }
}

function resultName(filename) {
  return `${filename.replace(/\.(csv|csv\.gz|xlsx)$/i, "")}.xlsx`;
}
