/**
 * Editing a `.env` file in place: set some variables, keep every other line (comments, order, other values) as
 * the owner wrote it. Used by `bun run telegram-setup` to store the token and chat id it found.
 */

/** `content` with each `values` key set: an existing `KEY=` line (commented-out example too) is replaced, else appended. */
export const setEnvValues = (content: string, values: Readonly<Record<string, string>>): string => {
  const lines = content === "" ? [] : content.replace(/\n$/, "").split("\n");
  for (const [key, value] of Object.entries(values)) {
    const assignment = `${key}=${value}`;
    const active = lines.findIndex((l) => new RegExp(`^\\s*(export\\s+)?${key}\\s*=`).test(l));
    const commented = lines.findIndex((l) => new RegExp(`^\\s*#\\s*${key}\\s*=`).test(l));
    const at = active >= 0 ? active : commented;
    if (at >= 0) lines[at] = assignment;
    else lines.push(assignment);
  }
  return `${lines.join("\n")}\n`;
};
