// Each test starts several processes; running them side by side on a 2-core machine only makes them flaky.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
