// webrtc-polyfill (used by bittorrent-tracker's simple-peer) needs node-datachannel, which cannot
// build here; @roamhq/wrtc provides the same standard classes.
import wrtc from '@roamhq/wrtc';

export const { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate } = wrtc;
export default wrtc;
