// Filled in by the errors work; exported here so parallel work never edits the package index.
export {};
