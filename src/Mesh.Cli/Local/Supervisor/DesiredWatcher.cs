using System.Text.Json;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Local;

namespace Mesh.Cli.Local.Supervisor;

/// <summary>
/// Follows the control's <see cref="Routes.DesiredWatch"/> and hands every new generation to <c>apply</c>;
/// reconnects (the control may be starting or restarting) until stopped.
/// </summary>
public sealed class DesiredWatcher(int controlAdminPort, Func<LocalDesiredState, Task> apply, Action<string> log)
{
    public async Task RunAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{controlAdminPort}/"), Timeout = Timeout.InfiniteTimeSpan };
        string? lastError = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(Routes.DesiredWatch, HttpCompletionOption.ResponseHeadersRead, ct);
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                using var reader = new StreamReader(body);
                lastError = null;
                // Per connection: a restarted control numbers from 1 again; re-applying equal content changes nothing.
                long seen = 0;
                while (await reader.ReadLineAsync(ct) is { } line)
                {
                    if (line.Length == 0) continue; // keep-alive
                    var state = JsonSerializer.Deserialize<LocalDesiredState>(line, AdminJson.Options);
                    // Generation 0 = the control has not read its manifests yet.
                    if (state is null || state.Generation == 0) continue;
                    if (state.Generation == seen) continue;
                    seen = state.Generation;
                    await apply(state);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
            {
                if (e.Message != lastError) log($"desired-state watch: {e.Message}; retrying");
                lastError = e.Message;
            }
            try { await Task.Delay(TimeSpan.FromMilliseconds(500), ct); }
            catch (OperationCanceledException) { return; }
        }
    }
}
