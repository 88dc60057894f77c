#!/usr/bin/env node
console.log("hello from local", process.argv.slice(2));
