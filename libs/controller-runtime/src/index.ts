// @keelson/controller-runtime: informers, work queue, leader election, manager.
export {};
