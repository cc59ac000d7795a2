// The model picker of the upload panel: which model (its champion, or its challenger) scores
// the next uploads; the chosen version's input schema drives the file checks.
import { h } from "./dom.js";

/** "name" or "name@version" → { name, version } (version: the champion's for a bare name). */
export function resolveModelRef(ref, models) {
  const [name, pinned] = ref.split("@");
  const model = models.find((m) => m.name === name);
  return { name, version: pinned || model?.aliases?.champion || "" };
}

/** The registry's name of the model that GET /model describes (the default model). */
export function defaultModelName(models, defaultModel) {
  const flagged = models.find((m) => m.default);
  if (flagged) return flagged.name;
  const named = defaultModel?.name || defaultModel?.model_name;
  if (named && models.some((m) => m.name === named)) return named;
  const byChampion = models.find((m) => defaultModel && m.aliases?.champion === defaultModel.version);
  return (byChampion || models[0])?.name || "";
}

export class ModelPicker {
  constructor({ api, uploads }) {
    this.api = api;
    this.uploads = uploads;
    this.models = [];
    this.defaults = {}; // GET /model: the default model, and the upload size limit
    this.resolved = "";
    this.select = h("select", { id: "model-select", onchange: () => this.#choose() });
    this.element = h(
      "div",
      { class: "model-picker", id: "model-picker", hidden: true },
      h("label", { for: "model-select" }, "Model"),
      this.select,
      h("span", { class: "muted small", id: "model-picker-hint" }, "The champion scores by default."),
    );
  }

  /** Fills the choices; the default model's champion is preselected the first time. */
  show(models, defaultModel) {
    this.models = models;
    this.defaults = defaultModel || {};
    const keep = this.select.value;
    this.select.replaceChildren(...models.map((model) => renderGroup(model)));
    const values = [...this.select.options].map((option) => option.value);
    this.select.value = values.includes(keep) ? keep : defaultModelName(models, defaultModel);
    this.element.hidden = models.length === 0;
    const { version } = resolveModelRef(this.select.value, models);
    // the champion may have moved (a promotion here): the checks follow it
    if (keep && this.resolved && version !== this.resolved) this.#choose();
    this.resolved = version;
  }

  hide() {
    this.element.hidden = true;
    this.models = [];
    this.resolved = "";
    this.select.replaceChildren();
  }

  #choose() {
    const ref = this.select.value;
    const { name, version } = resolveModelRef(ref, this.models);
    this.resolved = version;
    const description = this.api.getModelVersion(name, version).then((found) => ({
      max_upload_bytes: this.defaults.max_upload_bytes,
      ...found,
      name,
      version,
    }));
    this.uploads.useModel(ref, description);
  }
}

function renderGroup(model) {
  const { champion, challenger } = model.aliases || {};
  return h(
    "optgroup",
    { label: `${model.name} (${model.task})` },
    h("option", { value: model.name }, `${model.name} · champion ${champion}`),
    challenger &&
      h("option", { value: `${model.name}@${challenger}` }, `${model.name} · challenger ${challenger}`),
  );
}
