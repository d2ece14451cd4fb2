namespace Mesh.Bench.Modes;

/// <summary>
/// Every row the bench knows, in table order, and the hops <c>--serve</c> can run. Modes that depend on code not yet
/// on this branch live in their own file and add themselves in <see cref="AddOptionalModes"/> (a partial method: with
/// the file left out of the build, the call compiles to nothing).
/// </summary>
internal static partial class ModeCatalog
{
    private static readonly Lazy<(IReadOnlyList<Mode> Modes, IReadOnlyDictionary<string, ServeHop> Hops)> Built = new(Build);

    public static IReadOnlyList<Mode> All => Built.Value.Modes;

    public static IReadOnlyDictionary<string, ServeHop> Hops => Built.Value.Hops;

    private static (IReadOnlyList<Mode>, IReadOnlyDictionary<string, ServeHop>) Build()
    {
        var modes = new List<Mode>
        {
            new("direct", "direct TCP", Measure.All, c => Task.FromResult(new RunningMode(All.Single(m => m.Key == "direct"), c.SinkPort))),
            OurPair("plain", "mesh plain relay (2 hops)", Measure.All, "plain", "plain"),
            OurPair("tls", "mesh SslStream mTLS relay (2 hops)", Measure.All, "tls-out", "tls-in"),
            OurPair("akka", "Akka.Streams TCP relay, defaults (2 hops)", Measure.Bulk, "akka", "akka"),
            OurPair("akka-tuned", "Akka.Streams TCP relay, 64 KiB buffers (2 hops)", Measure.Bulk, "akka-tuned", "akka-tuned"),
            new("stunnel", "stunnel pair", Measure.All, c => ExternalPairs.StunnelAsync(Get("stunnel"), c))
                { IsReferencePair = true, Unavailable = () => Installed("stunnel") },
            new("haproxy", "haproxy pair", Measure.All, c => ExternalPairs.HaproxyAsync(Get("haproxy"), c))
                { IsReferencePair = true, Unavailable = () => Installed("haproxy") },
        };
        var hops = new Dictionary<string, ServeHop>(StringComparer.Ordinal)
        {
            ["plain"] = OurRelays.PlainAsync,
            ["tls-out"] = OurRelays.TlsOutAsync,
            ["tls-in"] = OurRelays.TlsInAsync,
            ["akka"] = AkkaStreamsRelay.DefaultsAsync,
            ["akka-tuned"] = AkkaStreamsRelay.TunedAsync,
        };
        AddOptionalModes(modes, hops);
        return (modes, hops);
    }

    /// <summary>Implemented by Modes/HboneMode.cs (the HBONE row).</summary>
    static partial void AddOptionalModes(List<Mode> modes, Dictionary<string, ServeHop> hops);

    private static Mode Get(string key) => All.Single(m => m.Key == key);

    /// <summary>
    /// A mode made of two of our <c>--serve</c> hops: the load generator connects to <paramref name="clientHop"/> (the
    /// "client ztunnel"), which carries to <paramref name="serverHop"/> (the "server ztunnel"), which connects to the sink.
    /// </summary>
    public static Mode OurPair(string key, string name, Measure supports, string clientHop, string serverHop) =>
        OurPair(key, name, supports, clientHop, serverHop, HopBuild.Current);

    /// <summary>The same pair of hops run from an earlier build (<c>--before</c>): key "KEY@before", name "… — before".</summary>
    public static Mode BeforeTwin(Mode ours, HopBuild before) =>
        ours.OurHops is { } hops
            ? OurPair(ours.Key + "@before", ours.Name + " — before", ours.Supports, hops.Client, hops.Server, before)
            : throw new ArgumentException($"{ours.Key} is not one of our hop pairs");

    private static Mode OurPair(string key, string name, Measure supports, string clientHop, string serverHop, HopBuild build)
    {
        Mode? self = null;
        self = new Mode(key, name, supports, async context =>
        {
            var (p1, p2) = (RunningMode.FreePort(), RunningMode.FreePort());
            var running = new RunningMode(self!, p1);
            try
            {
                await running.StartServeAsync(build, serverHop, p2, context.SinkPort, context.SinkPort, context);
                await running.StartServeAsync(build, clientHop, p1, p2, context.SinkPort, context);
                return running;
            }
            catch
            {
                running.Dispose();
                throw;
            }
        }) { OurHops = (clientHop, serverHop, build) };
        return self;
    }

    private static string? Installed(string tool) =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, tool)))
            ? null
            : $"{tool} is not installed (apt-get install stunnel4 haproxy)";
}
