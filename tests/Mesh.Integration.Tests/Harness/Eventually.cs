namespace Mesh.Integration.Tests.Harness;

/// <summary>Waits for a condition with a deadline (polling), instead of sleeping and hoping.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last = default!;
        Exception? lastError = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await probe();
                if (done(last)) return last;
                lastError = null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                lastError = e;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Condition not met within {timeout}: {describe()}\nlast value: {last}\nlast error: {lastError?.Message}");
    }

    /// <summary>
    /// Polls for the whole <paramref name="duration"/> and fails as soon as <paramref name="bad"/> holds: the way to
    /// show that something does not happen (a deadline, not a sleep: it returns early only on failure).
    /// </summary>
    public static async Task Never<T>(Func<Task<T>> probe, Func<T, bool> bad, TimeSpan duration, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + duration;
        var probes = 0;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var value = await probe();
                probes++;
                if (bad(value)) throw new InvalidOperationException($"Happened within {duration}: {describe()}\nvalue: {value}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                // An unanswered probe proves nothing either way; keep watching.
            }
            await Task.Delay(250);
        }
        if (probes == 0) throw new TimeoutException($"No probe answered within {duration}: {describe()}");
    }
}
