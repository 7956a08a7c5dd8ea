import { describe, expect, it } from "vitest";
import { markdownToHtml } from "../../src/report/markdown-html.js";
import { scopeSvgIds } from "../../src/report/render-chart.js";

describe("markdownToHtml (experiment discussions)", () => {
  it("writes paragraphs, lists, code, bold, emphasis and links", () => {
    const html = markdownToHtml("Our **600** images vs `60000`, *fewer*.\nSame paragraph.\n\n- one\n- [two](https://example.org/a)\n\n# Head");
    expect(html).toBe(
      '<p>Our <strong>600</strong> images vs <code>60000</code>, <em>fewer</em>. Same paragraph.</p>\n' +
        '<ul><li>one</li><li><a href="https://example.org/a">two</a></li></ul>\n<h4>Head</h4>',
    );
  });

  it("escapes markup and links only http(s) and relative targets, so a discussion cannot inject script", () => {
    const html = markdownToHtml('<script>alert(1)</script> [x](javascript:alert(1)) `<b>` "q"');
    expect(html).not.toMatch(/<script|<b>|href="javascript/);
    expect(html).toContain("&#60;script&#62;");
    expect(html).toContain("<code>&#60;b&#62;</code>");
  });
});

describe("scopeSvgIds", () => {
  it("prefixes ids and the references to them, leaving other references alone", () => {
    const svg = '<svg><clipPath id="clip1"><rect/></clipPath><g clip-path="url(#clip1)"/><use href="#clip1"/><g fill="url(#other)"/></svg>';
    expect(scopeSvgIds(svg, "c")).toBe('<svg><clipPath id="c-clip1"><rect/></clipPath><g clip-path="url(#c-clip1)"/><use href="#c-clip1"/><g fill="url(#other)"/></svg>');
  });
});
