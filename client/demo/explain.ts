/** The explanation panels: what is on screen, tied to the chapter's formula or rule it shows. */
import { html } from 'lit';

export const explainBounds = html`<p>
  <b>The bounds.</b> To get a file of <i>F</i> bytes to <i>N</i> peers, a server uploading <i>u<sub>s</sub></i>
  needs at least <i>D<sub>cs</sub></i> = max(<i>N·F/u<sub>s</sub></i>, <i>F/d<sub>min</sub></i>): it must send
  <i>N</i> copies itself. With peers re-sharing, the whole swarm uploads <i>u<sub>s</sub> + Σu<sub>i</sub></i>,
  so <i>D<sub>p2p</sub></i> = max(<i>F/u<sub>s</sub></i>, <i>F/d<sub>min</sub></i>, <i>N·F/(u<sub>s</sub>+Σu<sub>i</sub>)</i>):
  the server still sends each byte once, and nobody downloads faster than <i>d<sub>min</sub></i>. Move the
  sliders in any tab and every tab's figures follow: each tab learns its neighbours' limits from them.
</p>`;

export const explainChoking = html`<p>
  <b>Tit-for-tat.</b> Every 10 s a peer <i>rechokes</i>: it unchokes (uploads to) the 4 interested
  neighbours that have been feeding it fastest — a seeder, having nothing to gain, the 4 it can feed
  fastest — and chokes the rest. Every 30 s it also unchokes one more neighbour at random, the
  <i>optimistic</i> unchoke, so newcomers get a first piece to trade and better partners get found.
  "Fast clock" divides both intervals by 10.
</p>`;

export const explainRarest = html`<p>
  <b>Rarest first.</b> The file is cut into 256 KiB pieces. Neighbours tell each other which pieces
  they have (a bitfield, then a HAVE per new piece); each peer asks first for the pieces fewest of
  its neighbours hold. The histogram counts pieces by how many copies exist among this tab and its
  neighbours: rarest-first pushes the bars together — no piece is left scarce while others multiply.
</p>`;

export const explainClassroom = html`<p>
  <b>The chapter's figure, measured.</b> Each run starts one seeder and <i>N</i> leechers inside this
  page — real peers, talking WebRTC through the tracker — with every upload shaped to the limits
  above and downloads unlimited, and times how long until the last leecher holds the whole file,
  verified. The P2P run lets leechers re-share; the client-server run forbids it, so only the seeder
  uploads. The curves are the two bounds: client-server time grows with <i>N</i>, P2P time levels off.
  "Initial seeding" has the seeder send every piece once before any piece twice (BitTorrent's
  super-seeding), which is what lets a swarm approach <i>F/u<sub>s</sub></i>.
</p>`;
