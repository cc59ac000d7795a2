// Quick checks on a chosen file before it is sent: extension, size, header and first rows.
// The same rules as the server's pre-check (layers/model batchscore_model/csvcheck.py); .xlsx
// and .csv.gz are opened in the browser (workbook.js).
import { InputRefused, gunzipHead, readWorkbookHead } from "./workbook.js";

const PREVIEW_BYTES = 64 * 1024;
const INPUT_NAME = /\.(csv|csv\.gz|xlsx)$/i;
const PREVIEW_ROWS = 5;
const DELIMITERS = [",", ";", "\t"];

/** The candidate seen most often outside quotes on the first line; comma on a tie. */
export function sniffDelimiter(text) {
  const counts = new Map(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of text.replace(/^[\r\n]+/, "")) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === "\n") break;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char) + 1);
  }
  const best = DELIMITERS.reduce((a, b) => (counts.get(b) > counts.get(a) ? b : a));
  return counts.get(best) > 0 ? best : ",";
}

/** Parses CSV text (RFC 4180 quoting); the last line is dropped when it may be cut off. */
export function parseCsv(text, { complete = true, delimiter = "," } = {}) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === delimiter) {
      row.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else {
      field += char;
    }
  }
  if (complete && (field !== "" || row.length > 0)) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1 || r[0] !== "");
}

/**
 * Checks a file against the model schema. Returns
 * {errors: [..], warnings: [..], header, rows, missing: [..], unknown: [..]}. A file with
 * errors is not uploaded (the server would reject it); the server checks every row anyway.
 */
/** A header name as matched to the schema: non-breaking spaces as spaces, trimmed, any case. */
export function foldName(name) {
  return name.replace(/[\u00a0\u2007\u202f\ufeff]/g, " ").trim().toLowerCase();
}

/** Each written name's schema name (exact, else case/spaces), as the server's match_header. */
export function matchHeader(written, schemaNames) {
  const schema = new Set(schemaNames);
  const folded = new Map();
  for (const name of schemaNames) folded.set(foldName(name), folded.has(foldName(name)) ? null : name);
  const names = written.map((raw) => {
    const name = raw.trim();
    return schema.has(name) ? name : folded.get(foldName(raw)) || name;
  });
  const matches = written
    .map((raw, i) => [raw.trim(), names[i]])
    .filter(([name, target]) => name !== target);
  return { names, matches };
}

async function readHead(file, sheet) {
  if (/\.xlsx$/i.test(file.name)) {
    const { rows, complete, sheet: read, sheets } = await readWorkbookHead(file, { sheet });
    return { table: rows, complete, sheet: read, sheets };
  }
  const { text, complete } = /\.csv\.gz$/i.test(file.name)
    ? await gunzipHead(file, PREVIEW_BYTES)
    : { text: await file.slice(0, PREVIEW_BYTES).text(), complete: file.size <= PREVIEW_BYTES };
  const clean = text.replace(/^\uFEFF/, "");
  return { table: parseCsv(clean, { complete, delimiter: sniffDelimiter(clean) }), complete };
}

/** `sheet`: the .xlsx sheet to read (null: the first); the result names it and every sheet. */
export async function checkCsvFile(file, { columns = [], maxBytes, sheet = null }) {
  const result = { errors: [], warnings: [], header: [], rows: [], missing: [], unknown: [], matches: [], sheets: [], sheet: null };
  if (!INPUT_NAME.test(file.name)) {
    result.errors.push("Only .csv, .csv.gz and .xlsx files can be scored.");
    return result;
  }
  if (file.size === 0) {
    result.errors.push("The file is empty.");
    return result;
  }
  if (maxBytes && file.size > maxBytes) {
    result.errors.push(`The file is too large: the limit is ${Math.floor(maxBytes / 1024 / 1024)} MB.`);
    return result;
  }

  let head;
  try {
    head = await readHead(file, sheet);
  } catch (error) {
    if (!(error instanceof InputRefused)) throw error;
    result.errors.push(error.message);
    return result;
  }
  const { table, complete } = head;
  if (head.sheets && head.sheets.length > 1) {
    const position = head.sheets.indexOf(head.sheet);
    const which = position === 0 ? "the first" : `${position + 1}`;
    result.warnings.push(`Sheet "${head.sheet}" is read (${which} of ${head.sheets.length} sheets).`);
    result.sheets = head.sheets;
    result.sheet = head.sheet;
  }
  const [header = [], ...rows] = table;
  result.header = header.map((name) => name.trim());
  result.rows = rows.slice(0, PREVIEW_ROWS);
  if (rows.length === 0) {
    (complete ? result.errors : result.warnings).push("The file has a header but no data rows.");
  }

  const duplicates = [...new Set(result.header.filter((name, i) => result.header.indexOf(name) !== i))];
  if (duplicates.length > 0) {
    result.errors.push(`Column names appear more than once: ${duplicates.join(", ")}.`);
  }

  const matched = matchHeader(header, columns.map((column) => column.name));
  result.matches = matched.matches;
  const claims = new Map();
  matched.names.forEach((name, i) => claims.set(name, [...(claims.get(name) || []), result.header[i]]));
  for (const [name, found] of claims) {
    const distinct = [...new Set(found)];
    if (distinct.length > 1 && columns.some((c) => c.name === name)) {
      result.errors.push(`Columns ${distinct.map((n) => `"${n}"`).join(" and ")} both match the model's column "${name}".`);
    }
  }
  for (const [written, name] of result.matches) result.warnings.push(`Column "${written}" is read as "${name}".`);

  const present = new Set(matched.names);
  const known = new Set(columns.map((column) => column.name));
  result.missing = columns.filter((c) => c.required && !present.has(c.name)).map((c) => c.name);
  result.unknown = result.header.filter((name, i) => known.size > 0 && !known.has(matched.names[i]));
  if (result.missing.length > 0) {
    const count = result.missing.length;
    result.errors.push(
      `${count} required column${count === 1 ? " is" : "s are"} missing: ${result.missing.join(", ")}.`,
    );
  }
  return result;
}
