using System.Diagnostics;

namespace Mesh.Testing.Tests;

public sealed class EventuallySpec
{
    [Fact]
    public async Task Returns_the_first_value_that_meets_the_condition()
    {
        var probes = 0;
        var value = await Eventually.Until(() => Task.FromResult(++probes), n => n >= 3, TimeSpan.FromSeconds(5), () => "three probes");

        Assert.Equal(3, value);
    }

    [Fact]
    public async Task Times_out_naming_what_was_awaited_the_last_value_and_the_last_error()
    {
        var probes = 0;
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<TimeoutException>(() => Eventually.Until(
            // The first probe answers (wrong value), every later one throws: both must be in the message, whatever the
            // number of probes the deadline allowed (alternating answers made the outcome depend on its parity).
            () => ++probes == 1 ? Task.FromResult(41) : throw new IOException("not listening yet"),
            n => n == 42, TimeSpan.FromMilliseconds(300), () => "the answer"));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(3));
        Assert.Contains("the answer", error.Message);
        Assert.Contains("last value: 41", error.Message);
        Assert.Contains("IOException: not listening yet", error.Message);
        Assert.InRange(probes, 3, 30); // backs off instead of spinning
    }

    [Fact]
    public async Task A_probe_that_never_returns_fails_at_the_deadline()
    {
        var never = new TaskCompletionSource<int>();
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            Eventually.Until(() => never.Task, _ => true, TimeSpan.FromMilliseconds(200), () => "a stuck probe"));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(3));
        Assert.Contains("(no probe answered)", error.Message);
        Assert.Contains("did not return before the deadline", error.Message);
    }

    [Fact]
    public async Task True_waits_for_a_condition_that_throws_until_it_holds()
    {
        var items = new List<int>();
        _ = Task.Run(async () => { await Task.Yield(); lock (items) items.Add(1); });

        await Eventually.True(() => { lock (items) return Assert.Single(items) == 1; }, "one item");
    }

    [Fact]
    public async Task Never_watches_for_the_whole_duration_and_fails_as_soon_as_it_happens()
    {
        var clock = Stopwatch.StartNew();
        await Eventually.Never(() => Task.FromResult(false), bad => bad, TimeSpan.FromMilliseconds(300), () => "nothing");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300));

        var probes = 0;
        clock.Restart();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Eventually.Never(() => Task.FromResult(++probes), n => n == 2, TimeSpan.FromSeconds(30), () => "a second probe",
                interval: TimeSpan.FromMilliseconds(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Contains("a second probe", error.Message);
    }
}
