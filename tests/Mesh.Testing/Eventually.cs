using System.Diagnostics;

namespace Mesh.Testing;

/// <summary>
/// Awaits a condition with a deadline instead of sleeping and hoping. Probes are polled with a short back-off
/// (10 ms doubling to 250 ms, or a fixed <c>interval</c>); an exception from a probe counts as "not yet" (the service is
/// still starting, the log line is not written) and is reported if the deadline passes. A probe that itself hangs
/// past the deadline fails the wait too. Failure is a <see cref="TimeoutException"/> naming what was awaited, the
/// last value seen and the last error.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Waits until <paramref name="done"/> holds for what <paramref name="probe"/> returns, and returns that value.
    /// A synchronous probe is written <c>() => Task.FromResult(…)</c> (a second overload would make the lambdas ambiguous).
    /// </summary>
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, Func<string> describe,
        TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        var pause = interval ?? FirstInterval;
        var attempts = 0;
        T last = default!;
        var seen = false;
        Exception? lastError = null;
        while (true)
        {
            attempts++;
            var remaining = timeout - clock.Elapsed;
            try
            {
                last = await probe().WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
                seen = true;
                lastError = null;
                if (done(last)) return last;
            }
            catch (TimeoutException e) when (clock.Elapsed >= timeout)
            {
                lastError = new TimeoutException("the probe itself did not return before the deadline", e);
            }
            catch (Exception e)
            {
                lastError = e;
            }
            if (clock.Elapsed >= timeout) break;
            // Never past the deadline, never under 1 ms (a sub-millisecond Task.Delay completes at once and would spin).
            var left = timeout - clock.Elapsed;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling((pause < left ? pause : left).TotalMilliseconds))));
            if (interval is null) pause = pause * 2 < MaxInterval ? pause * 2 : MaxInterval;
        }
        throw new TimeoutException(
            $"Not met within {timeout.TotalSeconds:0.###} s ({attempts} probes): {describe()}" +
            $"\nlast value: {(seen ? Describe(last) : "(no probe answered)")}" +
            (lastError is null ? "" : $"\nlast error: {lastError.GetType().Name}: {lastError.Message}"));
    }

    /// <summary>Waits until <paramref name="condition"/> is true (default deadline <see cref="DefaultTimeout"/>).</summary>
    public static Task True(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        Until(() => Task.FromResult(condition()), ok => ok, timeout ?? DefaultTimeout, () => what);

    /// <inheritdoc cref="True(Func{bool}, string, TimeSpan?)"/>
    public static Task True(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Until(condition, ok => ok, timeout ?? DefaultTimeout, () => what);

    /// <summary>
    /// Polls for the whole <paramref name="duration"/> and fails as soon as <paramref name="bad"/> holds: the way to
    /// show that something does not happen (the duration is the behaviour under test; it returns early only on failure).
    /// </summary>
    public static async Task Never<T>(Func<Task<T>> probe, Func<T, bool> bad, TimeSpan duration, Func<string> describe,
        TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        var pause = interval ?? MaxInterval;
        var answered = 0;
        Exception? lastError = null;
        while (clock.Elapsed < duration)
        {
            T value;
            try
            {
                value = await probe();
            }
            catch (Exception e)
            {
                lastError = e; // an unanswered probe proves nothing either way; keep watching
                await Task.Delay(pause);
                continue;
            }
            answered++;
            if (bad(value))
                throw new InvalidOperationException(
                    $"Happened after {clock.Elapsed.TotalSeconds:0.###} s (watching for {duration.TotalSeconds:0.###} s): {describe()}\nvalue: {Describe(value)}");
            await Task.Delay(pause);
        }
        if (answered == 0)
            throw new TimeoutException($"No probe answered within {duration.TotalSeconds:0.###} s: {describe()}" +
                (lastError is null ? "" : $"\nlast error: {lastError.GetType().Name}: {lastError.Message}"));
    }

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        string s => s.Length > 4000 ? s[..4000] + $"… ({s.Length} chars)" : s,
        _ => value.ToString() ?? "",
    };
}
