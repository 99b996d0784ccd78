// DOM helpers: text goes in as textContent, never parsed as HTML.

export const $ = (id) => document.getElementById(id);

// el makes an element; props is a class name or properties (not innerHTML).
export function el(tag, props, text) {
  const e = Object.assign(document.createElement(tag), typeof props === 'string' ? { className: props } : props);
  if (text != null) e.textContent = String(text);
  return e;
}
