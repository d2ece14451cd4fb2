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
}
