// The entry of nosto.js, the one classic script every page evaluates. NOSTO_BUILD is written
// by the build (nosto_tagging.bundle.loader): version, runtime folder, protocol, API table.

import { install } from "./install.js";

install(window, document, document.currentScript, NOSTO_BUILD);
