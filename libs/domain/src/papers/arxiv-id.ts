/** An arXiv identifier split into the versionless id (the paper's identity) and its version. */
export interface ArxivId {
  id: string;
  version: number | null;
}

const NEW_STYLE = /^(\d{4}\.\d{4,5})(?:v([1-9]\d*))?$/;
// Old style drops the subject class in its canonical form: math.CA/0611800 -> math/0611800.
const OLD_STYLE = /^([a-z-]+)(?:\.[A-Z]{2})?\/(\d{7})(?:v([1-9]\d*))?$/;
const PREFIXES = [
  /^arxiv:/i,
  /^oai:arxiv\.org:/i,
  /^https?:\/\/(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf|html)\//i,
  /^https?:\/\/huggingface\.co\/papers\//i,
];

/**
 * Parses an arXiv id in the forms seen in the wild ("2410.17243", "arXiv:2410.17243v2",
 * "oai:arXiv.org:2410.17243v2", abs/pdf URLs, "hep-th/9901001v1"); null when it is not one.
 */
export function parseArxivId(raw: string): ArxivId | null {
  let text = raw.trim();
  for (const prefix of PREFIXES) {
    text = text.replace(prefix, '');
  }
  text = text.replace(/\.pdf$/i, '').replace(/[?#].*$/, '').replace(/\/$/, '');
  const modern = NEW_STYLE.exec(text);
  if (modern) {
    return { id: modern[1], version: modern[2] ? Number(modern[2]) : null };
  }
  const old = OLD_STYLE.exec(text);
  if (old) {
    return { id: `${old[1]}/${old[2]}`, version: old[3] ? Number(old[3]) : null };
  }
  return null;
}

export function arxivAbsUrl(id: string): string {
  return `https://arxiv.org/abs/${id}`;
}
