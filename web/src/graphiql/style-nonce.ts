/**
 * GraphiQL's editor (Monaco) writes its theme and layout rules into <style> elements it creates
 * at run time. The page's policy allows styles from this origin plus one nonce, fresh per
 * request, which the server writes into a meta tag; every <style> element created here carries
 * it, so nothing else may add inline styles. Imported before anything that creates one.
 */
const meta = document.querySelector<HTMLMetaElement>('meta[name="style-nonce"]');
const nonce = meta?.content ?? '';
// Read once; not left in the document for anything that could read attributes.
meta?.remove();

if (nonce && nonce !== '__STYLE_NONCE__') {
  const createElement = Document.prototype.createElement;
  Document.prototype.createElement = function (
    this: Document,
    tagName: string,
    options?: ElementCreationOptions,
  ) {
    const element = createElement.call(this, tagName, options);
    if (tagName.toLowerCase() === 'style') element.nonce = nonce;
    return element;
  } as typeof Document.prototype.createElement;
}
