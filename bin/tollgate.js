#!/usr/bin/env node
// The command line; `npm install` builds dist/ (the "prepare" script).
import('../dist/src/main.js');
