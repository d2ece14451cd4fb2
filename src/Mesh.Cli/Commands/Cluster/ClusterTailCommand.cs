using System.CommandLine;
using System.Globalization;
using Mesh.Cli.Output;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Commands.Cluster;

/// <summary><c>meshctl cluster tail</c>: follow membership events until the stream ends or Ctrl-C.</summary>
public static class ClusterTailCommand
{
    public static Command Build(CommandContext context)
    {
        var tail = new Command("tail", "Stream cluster membership events (Ctrl-C to stop)");
        context.SetAction(tail, async (inv, ct) =>
        {
            try
            {
                await foreach (var ev in inv.Client.StreamAsync<MemberEventView>(AdminRoutes.Tail, ct))
                {
                    // -o json stays one document per line (NDJSON): indentation would break `| jq -c` style consumers.
                    if (inv.Format == OutputFormat.Json) JsonOutput.WriteLine(inv.Out, ev);
                    else inv.Out.WriteLine(Render(ev));
                    await inv.Out.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl-C is how a tail is meant to end, not a failure.
            }

            return ExitCodes.Ok;
        });
        return tail;
    }

    internal static string Render(MemberEventView ev) =>
        string.Join(' ',
            ev.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ev.Event,
            ev.Address,
            ClusterCommands.Roles(ev.Roles),
            ev.Status);
}
