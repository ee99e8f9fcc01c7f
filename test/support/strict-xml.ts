import { SaxesParser } from 'saxes';

/** One element of a parsed document: namespace-resolved name, attribute values, text and children. */
export interface XmlElement {
  /** Namespace URI ('' when none) and local name, e.g. 'http://www.w3.org/2005/Atom' and 'link'. */
  uri: string;
  local: string;
  /** Attribute values by qualified name, e.g. `rel`, `xmlns:atom`. */
  attributes: Record<string, string>;
  /** The element's own character data (text and CDATA sections), children excluded. */
  text: string;
  children: XmlElement[];
}

// XML 1.0 Char production: what may appear in a document at all, even inside CDATA.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * Parses a whole document with saxes, a strict XML 1.0 parser with namespaces: any well-formedness error
 * (a character XML forbids, a stray "]]>", an unescaped "&" or "<", an unbound prefix, a mismatched tag)
 * throws, listing every error found.
 */
export function parseStrictXml(xml: string): XmlElement {
  const errors: string[] = [];
  const forbidden = NOT_XML_CHAR.exec(xml);
  if (forbidden) {
    errors.push(`character U+${forbidden[0].charCodeAt(0).toString(16).padStart(4, '0')} at offset ${forbidden.index}`);
  }
  const parser = new SaxesParser({ xmlns: true });
  const stack: XmlElement[] = [];
  const parsed: { root?: XmlElement } = {};
  parser.on('error', (error) => errors.push(error.message));
  parser.on('opentag', (tag) => {
    const element: XmlElement = {
      uri: tag.uri,
      local: tag.local,
      attributes: Object.fromEntries(
        Object.values(tag.attributes).map((attribute) => [attribute.name, attribute.value]),
      ),
      text: '',
      children: [],
    };
    const parent = stack.at(-1);
    if (parent) {
      parent.children.push(element);
    } else {
      parsed.root = element;
    }
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const addText = (text: string): void => {
    const current = stack.at(-1);
    if (current) {
      current.text += text;
    }
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  try {
    parser.write(xml).close();
  } catch (error) {
    errors.push(error instanceof Error ? error.message : String(error));
  }
  if (errors.length > 0 || parsed.root === undefined) {
    throw new Error(`Not well-formed XML: ${errors.join('; ') || 'no root element'}`);
  }
  return parsed.root;
}

/** The direct children of an element with this local name (and namespace, when given). */
export function childrenNamed(element: XmlElement, local: string, uri?: string): XmlElement[] {
  return element.children.filter((child) => child.local === local && (uri === undefined || child.uri === uri));
}

/** The single direct child with this local name; throws when there is none or several. */
export function childNamed(element: XmlElement, local: string, uri?: string): XmlElement {
  const found = childrenNamed(element, local, uri);
  if (found.length !== 1) {
    throw new Error(`Expected one <${local}> in <${element.local}>, found ${found.length}`);
  }
  return found[0];
}
