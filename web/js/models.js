// The Models view (#models in the header): each model's versions with their metrics, which one
// is champion or challenger, the alias history, and for admins promote and roll back, each with
// a reason and a confirmation. Where the API has no registry (GET /models answers 404) the view,
// its header links and the model picker stay hidden and uploads use the default model.
import { $, h } from "./dom.js";
import { formatDateTime } from "./format.js";
import { ModelPicker, defaultModelName } from "./modelpicker.js";
import { columnHeader, modelsTable } from "./modelstable.js";
import { toast } from "./notify.js";
import { renderRuns } from "./runs.js";

const ADMIN_GROUP = "admins";
const CHAMPION = "champion";
const CHALLENGER = "challenger";
const metricFormat = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 4 });

/** The version the current champion replaced: from the history's last champion move. */
export function rollbackTarget(history = []) {
  const moves = history.filter((move) => move.alias === CHAMPION);
  return moves.length > 0 ? moves[moves.length - 1].from_version || "" : "";
}

export class ModelsView {
  constructor({ api, auth, uploads }) {
    this.api = api;
    this.auth = auth;
    this.picker = new ModelPicker({ api, uploads });
    this.available = false;
    this.models = [];
    this.selected = "";
    this.defaultModel = null;
    this.#build();
    window.addEventListener("hashchange", () => this.#route());
  }

  get isAdmin() {
    return this.auth.groups.includes(ADMIN_GROUP);
  }

  /** Asks GET /models whether the registry is there; shows the picker and the view if so. */
  async start(defaultModelPromise) {
    let page;
    try {
      page = await this.api.listModels();
    } catch (error) {
      this.#setAvailable(false);
      if (error.status !== 404) toast(`The models could not be loaded: ${error.message}`, { kind: "error" });
      return;
    }
    this.models = page?.items || [];
    this.defaultModel = await defaultModelPromise.catch(() => null);
    this.#setAvailable(true);
    this.picker.show(this.models, this.defaultModel);
    this.#route();
  }

  stop() {
    this.#setAvailable(false);
    this.models = [];
    this.selected = "";
    this.list.replaceChildren();
    this.detailBox.replaceChildren();
  }

  #setAvailable(available) {
    this.available = available;
    for (const link of this.links) link.hidden = !available;
    if (!available) {
      this.picker.hide();
      this.#showView("jobs");
    }
  }

  #route() {
    if (!this.available) return;
    const view = location.hash === "#models" ? "models" : "jobs";
    this.#showView(view);
    if (view === "models") {
      this.refresh();
      $("models-title").focus();
    } else if (location.hash === "#jobs") {
      $("jobs-title")?.focus();
    }
  }

  #showView(view) {
    $("app-view").dataset.view = view;
    this.section.hidden = view !== "models";
    for (const link of this.links) {
      if (link.dataset.view === view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  async refresh() {
    try {
      const page = await this.api.listModels();
      this.models = page?.items || [];
      this.picker.show(this.models, this.defaultModel);
      if (!this.models.some((model) => model.name === this.selected)) {
        this.selected = defaultModelName(this.models, this.defaultModel);
      }
      this.#renderList();
      await this.#loadDetail();
    } catch (error) {
      this.detailBox.replaceChildren(
        h("p", { class: "error-text" }, `The models could not be loaded: ${error.message}`),
      );
    }
  }

  async #loadDetail() {
    if (!this.selected) {
      this.detailBox.replaceChildren(h("p", { class: "empty" }, "No models are registered yet."));
      return;
    }
    const name = this.selected;
    const [detail, runs] = await Promise.all([
      this.api.getModelDetails(name),
      this.api.listRuns(name).then(
        (page) => page.items || [],
        () => null, // an API without retraining: no runs section
      ),
    ]);
    if (name !== this.selected) return; // another model was chosen meanwhile
    this.detailBox.replaceChildren(...this.#renderDetail(detail));
    if (runs !== null) {
      const retrain = this.isAdmin ? () => this.#retrain(name) : null;
      this.detailBox.append(renderRuns(runs, { onRetrain: retrain }));
    }
  }

  #select(name) {
    this.selected = name;
    this.#renderList();
    this.#loadDetail().catch((error) =>
      toast(`${name} could not be loaded: ${error.message}`, { kind: "error" }),
    );
  }

  async #retrain(name) {
    try {
      const started = await this.api.retrain(name);
      toast(`Retraining ${name}: run ${started.run_id} started.`);
    } catch (error) {
      toast(`${name} could not be retrained: ${error.message}`, { kind: "error" });
    }
    await this.#loadDetail();
  }

  // alias moves

  async #promote(model, version, alias) {
    const current = model.aliases?.[alias];
    const reason = await this.#askReason({
      title: `Make ${version} the ${alias} of ${model.name}?`,
      text:
        alias === CHAMPION
          ? `Jobs submitted from now on without a version are scored by ${version}` +
            `${current ? ` instead of ${current}` : ""}. Jobs already submitted keep their version.`
          : `${version} becomes the ${alias}${current ? ` in place of ${current}` : ""}.`,
      action: `Make ${alias}`,
    });
    if (reason !== null) await this.#move(model.name, alias, version, reason, current);
  }

  async #rollback(model) {
    const target = rollbackTarget(model.history);
    const reason = await this.#askReason({
      title: `Roll back the champion of ${model.name}?`,
      text: `The champion goes back from ${model.aliases?.champion} to ${target}, the version it replaced. Jobs already submitted keep their version.`,
      action: `Roll back to ${target}`,
    });
    if (reason !== null) await this.#move(model.name, CHAMPION, target, reason, model.aliases?.champion);
  }

  async #move(name, alias, version, reason, seen) {
    try {
      await this.api.moveAlias(name, alias, version, reason, seen);
      toast(`${version} is now the ${alias} of ${name}.`, { kind: "success" });
    } catch (error) {
      const message =
        error.status === 409
          ? `The aliases of ${name} were changed meanwhile by someone else: the page now shows them. Try again if it is still needed.`
          : error.status === 403
            ? `Only admins can change the ${alias} of ${name}.`
            : `Cannot change the ${alias} of ${name}: ${error.message}`;
      toast(message, { kind: "error" });
    }
    await this.refresh();
    $("model-detail-title")?.focus();
  }

  /** The reason for an alias move, or null when the user cancels. */
  #askReason({ title, text, action }) {
    const { dialog } = this;
    $("alias-title").textContent = title;
    $("alias-text").textContent = text;
    $("alias-confirm").textContent = action;
    $("alias-reason").value = "";
    $("alias-error").textContent = "";
    dialog.returnValue = "";
    const opener = document.activeElement;
    dialog.showModal();
    $("alias-reason").focus();
    return new Promise((resolve) => {
      dialog.addEventListener(
        "close",
        () => {
          if (opener?.isConnected) opener.focus();
          resolve(dialog.returnValue === "confirm" ? $("alias-reason").value.trim() : null);
        },
        { once: true },
      );
    });
  }

  // rendering

  #renderList() {
    this.list.replaceChildren(
      ...this.models.map((model) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: "models__choice",
              "aria-pressed": String(model.name === this.selected),
              onclick: () => this.#select(model.name),
            },
            h("span", { class: "models__choice-name" }, model.name),
            h(
              "span",
              { class: "muted small" },
              `${model.task} · champion ${model.aliases?.champion ?? "none"} · ${model.versions} version${model.versions === 1 ? "" : "s"}`,
            ),
          ),
        ),
      ),
    );
  }

  #renderDetail(model) {
    const aliases = model.aliases || {};
    const admin = this.isAdmin;
    const target = rollbackTarget(model.history);
    const head = h(
      "div",
      { class: "models__head" },
      h(
        "div",
        {},
        h("h3", { id: "model-detail-title", tabindex: "-1" }, model.name),
        h(
          "p",
          { class: "muted" },
          model.task,
          " · ",
          [CHAMPION, CHALLENGER]
            .filter((alias) => aliases[alias])
            .map((alias) => `${alias} ${aliases[alias]}`)
            .join(" · "),
        ),
      ),
      admin &&
        h(
          "button",
          {
            type: "button",
            class: "button button--ghost",
            disabled: !target,
            title: target ? "" : "The champion has not replaced another version.",
            onclick: () => this.#rollback(model),
          },
          target ? `Roll back champion to ${target}` : "Roll back champion",
        ),
    );
    return [
      head,
      this.#renderVersions(model, admin),
      this.#renderHistory(model),
      !admin && h("p", { class: "muted small" }, "Only admins can promote or roll back versions."),
    ].filter(Boolean);
  }

  #renderVersions(model, admin) {
    const aliases = model.aliases || {};
    const aliasesOf = (version) => [CHAMPION, CHALLENGER].filter((alias) => aliases[alias] === version);
    const rows = (model.versions || []).map((version) => {
      const held = aliasesOf(version.version);
      const actions =
        admin && version.status === "active"
          ? [CHAMPION, CHALLENGER]
              .filter((alias) => !held.includes(alias))
              .map((alias) =>
                h(
                  "button",
                  {
                    type: "button",
                    class: "button button--small",
                    "aria-label": `Make ${version.version} ${alias}`,
                    onclick: () => this.#promote(model, version.version, alias),
                  },
                  `Make ${alias}`,
                ),
              )
          : [];
      return h(
        "tr",
        { role: "row", "data-version": version.version },
        h(
          "th",
          { role: "rowheader", scope: "row" },
          h("code", {}, version.version),
          held.map((alias) => [" ", h("span", { class: `badge badge--${alias}` }, alias)]),
        ),
        h("td", { role: "cell" }, h("span", { class: `badge badge--version-${version.status}` }, version.status)),
        h("td", { role: "cell" }, renderMetrics(version)),
        h(
          "td",
          { role: "cell", class: "cell-time" },
          h("time", { datetime: version.created_at }, formatDateTime(version.created_at)),
        ),
        h("td", { role: "cell" }, version.created_by || ""),
        admin && h("td", { role: "cell" }, h("div", { class: "actions" }, actions)),
      );
    });
    return modelsTable(
      { "aria-label": `Versions of ${model.name}` },
      [
        ["Version", "Status", "Metrics", "Created", "By"].map(columnHeader),
        admin && columnHeader(h("span", { class: "visually-hidden" }, "Actions")),
      ],
      rows,
    );
  }

  #renderHistory(model) {
    const moves = [...(model.history || [])].reverse(); // newest first
    return h(
      "section",
      { class: "models__history", "aria-labelledby": "alias-history-title" },
      h("h4", { id: "alias-history-title" }, "Alias history"),
      moves.length === 0
        ? h("p", { class: "muted" }, "No alias has moved yet.")
        : modelsTable(
            { "aria-labelledby": "alias-history-title" },
            ["When", "Alias", "Change", "By", "Reason"].map(columnHeader),
            moves.map((move) =>
              h(
                "tr",
                { role: "row" },
                h("td", { role: "cell", class: "cell-time" }, h("time", { datetime: move.at }, formatDateTime(move.at))),
                h("td", { role: "cell" }, move.alias),
                h("td", { role: "cell" }, `${move.from_version || "none"} → ${move.to_version}`),
                h("td", { role: "cell" }, move.by || ""),
                h("td", { role: "cell" }, move.reason || ""),
              ),
            ),
          ),
    );
  }

  #build() {
    this.links = [
      h("a", { href: "#jobs", "data-view": "jobs", hidden: true }, "Jobs"),
      h("a", { href: "#models", "data-view": "models", hidden: true }, "Models"),
    ];
    document.querySelector(".topbar__nav").prepend(...this.links);

    this.list = h("ul", { class: "models__list" });
    this.detailBox = h("div", { class: "models__detail", "aria-live": "polite" });
    this.section = h(
      "section",
      { class: "card models", id: "models-view", "aria-labelledby": "models-title", hidden: true },
      h(
        "div",
        { class: "section-head" },
        h("h2", { id: "models-title", tabindex: "-1" }, "Models"),
        h("button", { type: "button", class: "button button--ghost", onclick: () => this.refresh() }, "Refresh models"),
      ),
      h(
        "div",
        { class: "models__layout" },
        h("nav", { "aria-label": "Registered models" }, this.list),
        this.detailBox,
      ),
    );
    $("app-view").append(this.section);
    $("dropzone").before(this.picker.element);

    this.dialog = h(
      "dialog",
      { class: "dialog", id: "alias-dialog", "aria-labelledby": "alias-title", "aria-describedby": "alias-text" },
      h(
        "form",
        { method: "dialog", class: "form", novalidate: true, onsubmit: (event) => this.#checkReason(event) },
        h("h2", { id: "alias-title" }),
        h("p", { id: "alias-text" }),
        h(
          "div",
          { class: "field" },
          h("label", { for: "alias-reason" }, "Reason"),
          h("textarea", { id: "alias-reason", rows: 3, "aria-describedby": "alias-reason-hint" }),
          h("p", { class: "hint", id: "alias-reason-hint" }, "Kept for good in the alias history."),
        ),
        h("div", { class: "form__error", id: "alias-error", role: "alert" }),
        h(
          "div",
          { class: "dialog__actions" },
          h("button", { type: "submit", class: "button button--ghost", value: "cancel" }, "Cancel"),
          h("button", { type: "submit", class: "button button--primary", value: "confirm", id: "alias-confirm" }),
        ),
      ),
    );
    document.body.append(this.dialog);
  }

  #checkReason(event) {
    if (event.submitter?.value !== "confirm" || $("alias-reason").value.trim()) return;
    event.preventDefault();
    $("alias-error").textContent = "Give a reason: it is kept in the alias history.";
    $("alias-reason").focus();
  }
}

function renderMetrics(version) {
  const metrics = Object.entries(version.metrics || {});
  const primary = version.primary_metric;
  metrics.sort(([a], [b]) => (a === primary ? -1 : b === primary ? 1 : a.localeCompare(b)));
  return h(
    "ul",
    { class: "metrics" },
    metrics.map(([name, value]) =>
      h(
        "li",
        { class: name === primary ? "metrics__primary" : "" },
        `${name} ${typeof value === "number" ? metricFormat.format(value) : value}`,
      ),
    ),
  );
}
