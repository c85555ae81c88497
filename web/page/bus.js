// The page's event bus (api.listen/unlisten): prerequest, taggingsent, servererror, scripterror.

export function makeBus(report) {
  const listeners = new Map(); // event -> callbacks ("__proto__" is a name like any other)
  return {
    listen(event, callback) {
      if (typeof callback === "function") listeners.set(event, (listeners.get(event) || []).concat(callback));
    },
    unlisten(event, callback) {
      listeners.set(event, (listeners.get(event) || []).filter((c) => c !== callback));
    },
    emit(event, payload) {
      (listeners.get(event) || []).forEach((callback) => {
        try { callback(payload); } catch (error) { report("error", event + " listener threw: " + error); }
      });
    }
  };
}
