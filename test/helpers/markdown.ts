/** The fenced code blocks of a Markdown text in one language, in order. */
export const codeBlocks = (markdown: string, lang: string): string[] =>
  [...markdown.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);

/**
 * Pairs each block with the one check whose marker it contains, so a new example without a
 * check (or matching two) fails the test instead of going unrun.
 */
export function checksFor<T>(blocks: string[], checks: Record<string, T>): [string, T][] {
  return blocks.map((block, i) => {
    const markers = Object.keys(checks).filter((m) => block.includes(m));
    if (markers.length !== 1) throw new Error(`README example ${i + 1} matches ${markers.length} checks (${markers.join(", ")}); give it exactly one:\n${block}`);
    return [block, checks[markers[0]!]!];
  });
}
