/**
 * Human output is text for a terminal: labels, SSIDs and serial lines come from users, images and boards,
 * so a control character in them (ESC sequences can retitle the window, move the cursor, hide text) is
 * shown as a visible `\xNN` escape instead of being obeyed. Tabs and newlines stay.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
