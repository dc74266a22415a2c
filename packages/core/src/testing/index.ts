/** Test support for core and its users: in-memory layers of every port, builders, contract suites. */
export {};
