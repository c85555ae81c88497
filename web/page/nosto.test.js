// The entry of nosto.test.js: nosto.js plus the hooks only tests use (test-hooks.js).

import { install } from "./install.js";
import { testHooks } from "./test-hooks.js";

install(window, document, document.currentScript, NOSTO_BUILD, testHooks);
