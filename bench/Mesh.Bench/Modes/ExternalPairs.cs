namespace Mesh.Bench.Modes;

/// <summary>
/// The reference TLS pairs: the same hop as our SslStream relay (plain in, mutual TLS 1.3 between the two, plain out)
/// with the same certificates, verify required both ways. Needs the Debian packages stunnel4 and haproxy.
/// </summary>
internal static class ExternalPairs
{
    public static async Task<RunningMode> StunnelAsync(Mode mode, ModeContext context)
    {
        var (p1, p2) = (RunningMode.FreePort(), RunningMode.FreePort());
        var pki = context.Pki;
        var running = new RunningMode(mode, p1);
        try
        {
            var common = $"foreground = yes\npid =\nCAfile = {pki.Ca}\nverifyChain = yes\nrequireCert = yes\nsslVersionMin = TLSv1.3\n";
            await running.StartToolAsync("stunnel", [Write(pki, "stunnel-b.conf", common +
                $"[s]\naccept = 127.0.0.1:{p2}\nconnect = 127.0.0.1:{context.SinkPort}\ncert = {pki.Cert("b")}\nkey = {pki.Key("b")}\n")], p2);
            await running.StartToolAsync("stunnel", [Write(pki, "stunnel-a.conf", common +
                $"[c]\nclient = yes\naccept = 127.0.0.1:{p1}\nconnect = 127.0.0.1:{p2}\ncert = {pki.Cert("a")}\nkey = {pki.Key("a")}\n")], p1);
            return running;
        }
        catch
        {
            running.Dispose();
            throw;
        }
    }

    public static async Task<RunningMode> HaproxyAsync(Mode mode, ModeContext context)
    {
        var (p1, p2) = (RunningMode.FreePort(), RunningMode.FreePort());
        var pki = context.Pki;
        var running = new RunningMode(mode, p1);
        try
        {
            // maxconn above the idle run's 1,000 tunnels (each is two connections per process).
            const string head = "global\n  maxconn 8000\n  ssl-default-bind-options ssl-min-ver TLSv1.3\n  ssl-default-server-options ssl-min-ver TLSv1.3\n" +
                "defaults\n  mode tcp\n  maxconn 8000\n  timeout connect 5s\n  timeout client 120s\n  timeout server 120s\n";
            await running.StartToolAsync("haproxy", ["-f", Write(pki, "haproxy-b.cfg", head +
                $"frontend f\n  bind 127.0.0.1:{p2} ssl crt {pki.Combined("b")} ca-file {pki.Ca} verify required\n  default_backend b\n" +
                $"backend b\n  server s 127.0.0.1:{context.SinkPort}\n")], p2);
            await running.StartToolAsync("haproxy", ["-f", Write(pki, "haproxy-a.cfg", head +
                $"frontend f\n  bind 127.0.0.1:{p1}\n  default_backend b\n" +
                $"backend b\n  server s 127.0.0.1:{p2} ssl crt {pki.Combined("a")} ca-file {pki.Ca} verify required\n")], p1);
            return running;
        }
        catch
        {
            running.Dispose();
            throw;
        }
    }

    private static string Write(Pki pki, string name, string content)
    {
        var path = Path.Combine(pki.Dir, name);
        File.WriteAllText(path, content);
        return path;
    }
}
