// simple-peer's browser bundle carries its own Node shims (events, buffer, process); its types are simple-peer's.
declare module 'simple-peer/simplepeer.min.js' {
  import SimplePeer from 'simple-peer';
  export default SimplePeer;
}
