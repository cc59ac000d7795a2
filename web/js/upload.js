// The upload panel: choose or drop CSV files, check and preview them, then upload each one
// straight to S3 with the presigned POST that POST /jobs returns.
import { uploadToPresignedPost } from "./api.js";
import { checkCsvFile } from "./csv.js";
import { $, h } from "./dom.js";
import { formatBytes } from "./format.js";
import { toast } from "./notify.js";

const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
const DONE_ITEM_LINGER_MS = 6000;
const ADDED_NOTICE_MS = 4000;

let nextItemId = 1;

export class UploadPanel {
  constructor({ api, onJobCreated, onUploaded }) {
    this.api = api;
    this.onJobCreated = onJobCreated;
    this.onUploaded = onUploaded;
    this.model = { columns: [] };
    this.modelLoaded = Promise.resolve();
    this.modelRequest = 0;
    this.modelRef = ""; // empty: the default model's champion
    this.items = [];
    this.#bindEvents();
  }

  get maxBytes() {
    return this.model.max_upload_bytes || DEFAULT_MAX_UPLOAD_BYTES;
  }

  /** Takes the pending GET /model answer; file checks wait for it. */
  loadModel(modelPromise) {
    const request = ++this.modelRequest; // a slower answer for a model chosen before is dropped
    this.modelLoaded = modelPromise.then(
      (model) => request === this.modelRequest && this.#setModel(model),
      (error) => toast(`The model description could not be loaded: ${error.message}`, { kind: "error" }),
    );
  }

  /** The model picker's choice ("name" or "name@version"): later jobs use it, staged files are checked again. */
  useModel(modelRef, modelPromise) {
    this.modelRef = modelRef;
    this.loadModel(modelPromise);
    for (const item of this.items.filter((i) => ["checking", "ready", "invalid"].includes(i.state))) {
      item.state = "checking";
      this.#setStatus(item, "Checking…");
      this.#check(item);
    }
    this.#updateActions();
  }

  #setModel(model) {
    this.model = model;
    const required = model.columns.filter((column) => column.required);
    $("model-summary").textContent =
      `Model ${model.name ? `${model.name} ` : ""}${model.version} · ${model.task} · ${required.length} required columns`;
    $("size-limit").textContent = `Up to ${formatBytes(this.maxBytes)} per file.`;
    $("schema-list").replaceChildren(...model.columns.map(renderSchemaColumn));
    const template = new Blob([`${model.columns.map((c) => csvCell(c.name)).join(",")}\r\n`], {
      type: "text/csv",
    });
    URL.revokeObjectURL($("template-link").href);
    $("template-link").href = URL.createObjectURL(template);
  }

  async addFiles(files) {
    const added = [...files].map((file) => this.#stage(file));
    await Promise.all(added.map((item) => this.#check(item)));
    const ready = added.filter((item) => item.state === "ready").length;
    if (added.length > 0) {
      const text = `${added.length} file${added.length === 1 ? "" : "s"} added, ${ready} ready to upload.`;
      toast(text, { ms: ADDED_NOTICE_MS });
    }
  }

  async uploadAll() {
    const ready = this.items.filter((item) => item.state === "ready");
    this.#updateActions();
    await Promise.all(ready.map((item) => this.#upload(item)));
  }

  clear() {
    for (const item of this.items.filter((i) => i.state !== "uploading")) this.#remove(item);
  }

  #bindEvents() {
    const input = $("file-input");
    input.addEventListener("change", () => {
      this.addFiles(input.files);
      input.value = "";
    });
    const zone = $("dropzone");
    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      zone.classList.add("dropzone--active");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("dropzone--active"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("dropzone--active");
      this.addFiles(event.dataTransfer.files);
    });
    $("start-upload").addEventListener("click", () => this.uploadAll());
    $("clear-staged").addEventListener("click", () => this.clear());
  }

  #stage(file) {
    const id = `staged-${nextItemId++}`;
    const item = { id, file, state: "checking", check: null, refs: {}, sheet: null };
    item.element = this.#renderItem(item);
    this.items.push(item);
    $("staged").append(item.element);
    this.#updateActions();
    return item;
  }

  async #check(item) {
    const run = (item.checkRun = (item.checkRun || 0) + 1); // a check against an earlier model is dropped
    await this.modelLoaded;
    const check = await checkCsvFile(item.file, {
      columns: this.model.columns,
      maxBytes: this.maxBytes,
      sheet: item.sheet,
    });
    if (run !== item.checkRun) return;
    item.check = check;
    this.#showSheetPicker(item);
    item.state = item.check.errors.length > 0 ? "invalid" : "ready";
    item.refs.checks.replaceChildren(...renderChecks(item.check));
    if (item.check.header.length > 0) item.refs.preview.replaceChildren(renderPreview(item));
    this.#setStatus(item, item.state === "ready" ? "Ready to upload" : "Cannot be uploaded");
    this.#updateActions();
  }

  async #upload(item) {
    item.state = "uploading";
    item.refs.remove.disabled = true;
    item.refs.progress.hidden = false;
    // The checks were read before "Start upload": folded away, the jobs panel stays in sight.
    item.refs.checks.hidden = true;
    item.refs.preview.hidden = true;
    item.refs.sheet.hidden = true;
    this.#showUploadProgress(item, 0);
    try {
      const job = await this.api.createJob(item.file.name, this.modelRef, item.check?.sheet ?? null);
      this.onJobCreated({
        ...(job.job || {}),
        ...job,
        filename: item.file.name,
        size_bytes: item.file.size,
        created_at: job.job?.created_at || new Date().toISOString(),
      });
      await uploadToPresignedPost(job.upload, item.file, (fraction) =>
        this.#showUploadProgress(item, fraction),
      );
      item.state = "done";
      this.#setStatus(item, "Uploaded");
      this.onUploaded(job);
      setTimeout(() => this.#remove(item), DONE_ITEM_LINGER_MS);
    } catch (error) {
      item.state = "failed";
      item.refs.remove.disabled = false;
      item.refs.progress.hidden = true;
      this.#setStatus(item, `Upload failed: ${error.message}`);
      toast(`${item.file.name}: ${error.message}`, { kind: "error" });
    }
    this.#updateActions();
  }

  /** A workbook of several sheets: a select of them (the one read chosen); a choice checks again. */
  #showSheetPicker(item) {
    const sheets = item.check.sheets;
    item.refs.sheet.hidden = sheets.length < 2;
    if (sheets.length < 2) return;
    const select = h(
      "select",
      {
        id: `${item.id}-sheet`,
        onchange: () => {
          item.sheet = select.value;
          item.state = "checking";
          this.#setStatus(item, "Checking…");
          this.#updateActions();
          this.#check(item);
        },
      },
      sheets.map((name) => h("option", { value: name }, name)),
    );
    select.value = item.check.sheet;
    item.refs.sheet.replaceChildren(
      h("label", { for: select.id }, `Sheet of ${item.file.name}`),
      select,
    );
  }

  #remove(item) {
    item.element.remove();
    this.items = this.items.filter((other) => other !== item);
    this.#updateActions();
  }

  /** The bar and its text always say the same number: both come from this one value. */
  #showUploadProgress(item, fraction) {
    const percent = Math.min(100, Math.floor(fraction * 100));
    item.refs.bar.value = percent;
    item.refs.bar.setAttribute("aria-valuetext", `${percent}%`);
    const sent = `${formatBytes(Math.round(fraction * item.file.size))} of ${formatBytes(item.file.size)}`;
    this.#setStatus(item, percent < 100 ? `Uploading… ${percent}% (${sent})` : "Uploaded, finishing…");
  }

  #setStatus(item, text) {
    item.element.dataset.state = item.state;
    item.refs.status.textContent = text;
  }

  #updateActions() {
    const ready = this.items.filter((item) => item.state === "ready").length;
    $("upload-actions").hidden = this.items.length === 0;
    $("start-upload").disabled = ready === 0;
    $("start-upload").textContent = ready > 1 ? `Start upload (${ready} files)` : "Start upload";
  }

  #renderItem(item) {
    const { refs } = item;
    refs.status = h("span", { class: "staged__status", id: `${item.id}-status` }, "Checking…");
    refs.remove = h(
      "button",
      {
        type: "button",
        class: "button button--ghost button--small",
        "aria-label": `Remove ${item.file.name}`,
        onclick: () => this.#remove(item),
      },
      "Remove",
    );
    refs.bar = h("progress", { max: 100, value: 0, "aria-label": `Upload of ${item.file.name}` });
    refs.progress = h("div", { class: "staged__progress", hidden: true }, refs.bar);
    refs.sheet = h("div", { class: "staged__sheet field", hidden: true });
    refs.checks = h("div", { class: "staged__checks" });
    refs.preview = h("div", { class: "staged__preview" });
    return h(
      "li",
      { class: "staged__item", "data-state": item.state, "aria-labelledby": `${item.id}-name` },
      h(
        "div",
        { class: "staged__head" },
        h(
          "div",
          { class: "staged__title" },
          h("span", { class: "staged__name", id: `${item.id}-name` }, item.file.name),
          h("span", { class: "staged__size" }, formatBytes(item.file.size)),
        ),
        refs.status,
        refs.remove,
      ),
      refs.progress,
      refs.sheet,
      refs.checks,
      refs.preview,
    );
  }
}

function renderChecks(check) {
  const messages = [
    ...check.errors.map((text) => h("li", { class: "check check--error" }, text)),
    ...check.warnings.map((text) => h("li", { class: "check check--warning" }, text)),
  ];
  if (check.unknown.length > 0) {
    const count = check.unknown.length;
    messages.push(
      h(
        "li",
        { class: "check check--info" },
        `${count} column${count === 1 ? " is" : "s are"} not used by the model and will be kept as they are: ${check.unknown.join(", ")}.`,
      ),
    );
  }
  if (messages.length === 0) {
    messages.push(h("li", { class: "check check--ok" }, "All required columns are present."));
  }
  return [h("ul", { class: "checks" }, messages)];
}

function renderPreview(item) {
  const { header, rows, missing, unknown } = item.check;
  const unknownSet = new Set(unknown);
  const headCells = header.map((name) =>
    h("th", { scope: "col", class: unknownSet.has(name) ? "col--unknown" : "" }, name),
  );
  const missingCells = missing.map((name) =>
    h(
      "th",
      { scope: "col", class: "col--missing" },
      name,
      h("span", { class: "visually-hidden" }, " (missing)"),
    ),
  );
  const bodyRows = rows.map((row) =>
    h(
      "tr",
      {},
      header.map((_, index) => h("td", {}, row[index] ?? "")),
      missing.map(() => h("td", { class: "col--missing" }, "—")),
    ),
  );
  const captionId = `${item.id}-caption`;
  return h(
    "div",
    { class: "preview", role: "region", tabindex: "0", "aria-labelledby": captionId },
    h(
      "table",
      {},
      h("caption", { id: captionId }, `Preview of ${item.file.name}: header and first ${rows.length} rows`),
      h("thead", {}, h("tr", {}, headCells, missingCells)),
      h("tbody", {}, bodyRows),
    ),
  );
}

function renderSchemaColumn(column) {
  const facts = [column.dtype];
  if (column.min !== null && column.min !== undefined) facts.push(`min ${column.min}`);
  if (column.max !== null && column.max !== undefined) facts.push(`max ${column.max}`);
  if (column.categories && column.categories.length > 0) facts.push(`one of ${column.categories.join(", ")}`);
  if (!column.required) facts.push("optional");
  return h("li", {}, h("code", {}, column.name), h("span", { class: "muted" }, ` ${facts.join(" · ")}`));
}

function csvCell(value) {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
