/**
 * One visible focus indicator for every control in the app, the widget and the demo (WCAG 2.4.7):
 * a 3 px outline, drawn only when focus came from the keyboard (:focus-visible), in a blue that
 * keeps 3:1 contrast on white and on the page's grey.
 */
import { css } from 'lit';

export const focusRing = css`
  :focus-visible { outline: 3px solid #1a4fa0; outline-offset: 2px; }
`;
