// Quick checks on a chosen file before it is sent: extension, size, header and first rows.
// The same rules as the server's pre-check (layers/model batchscore_model/csvcheck.py).
const PREVIEW_BYTES = 64 * 1024;
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
export async function checkCsvFile(file, { columns = [], maxBytes }) {
  const result = { errors: [], warnings: [], header: [], rows: [], missing: [], unknown: [] };
  if (!/\.csv$/i.test(file.name)) {
    result.errors.push("Only .csv files can be scored.");
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

  const complete = file.size <= PREVIEW_BYTES;
  const text = (await file.slice(0, PREVIEW_BYTES).text()).replace(/^\uFEFF/, "");
  const [header = [], ...rows] = parseCsv(text, { complete, delimiter: sniffDelimiter(text) });
  result.header = header.map((name) => name.trim());
  result.rows = rows.slice(0, PREVIEW_ROWS);
  if (rows.length === 0) {
    (complete ? result.errors : result.warnings).push("The file has a header but no data rows.");
  }

  const duplicates = [...new Set(result.header.filter((name, i) => result.header.indexOf(name) !== i))];
  if (duplicates.length > 0) {
    result.errors.push(`Column names appear more than once: ${duplicates.join(", ")}.`);
  }

  const present = new Set(result.header);
  const known = new Set(columns.map((column) => column.name));
  result.missing = columns.filter((c) => c.required && !present.has(c.name)).map((c) => c.name);
  result.unknown = result.header.filter((name) => known.size > 0 && !known.has(name));
  if (result.missing.length > 0) {
    const count = result.missing.length;
    result.errors.push(
      `${count} required column${count === 1 ? " is" : "s are"} missing: ${result.missing.join(", ")}.`,
    );
  }
  return result;
}
