// The page's event bus (api.listen/unlisten): prerequest, taggingsent, servererror, scripterror.

export function makeBus(report) {
  const listeners = {}; // event -> callbacks
  return {
    listen(event, callback) {
      if (typeof callback === "function") (listeners[event] = listeners[event] || []).push(callback);
    },
    unlisten(event, callback) {
      listeners[event] = (listeners[event] || []).filter((c) => c !== callback);
    },
    emit(event, payload) {
      (listeners[event] || []).slice().forEach((callback) => {
        try { callback(payload); } catch (error) { report("error", event + " listener threw: " + error); }
      });
    }
  };
}
