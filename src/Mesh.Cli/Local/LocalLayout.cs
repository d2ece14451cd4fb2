namespace Mesh.Cli.Local;

/// <summary>Files in the local mode state directory.</summary>
public sealed record LocalLayout(string StateDir)
{
    public string LockFile => Path.Combine(StateDir, "supervisor.pid");
    public string Ledger => Path.Combine(StateDir, "ledger.jsonl");
    public string Status => Path.Combine(StateDir, "status.json");
    public string ZdsSocket => Path.Combine(StateDir, "zds.sock");
    public string Logs => Path.Combine(StateDir, "logs");

    public string NodesDir => Path.Combine(StateDir, "nodes");

    /// <summary>The mesh CA's generated root (kept across up/down, like a cluster's CA secret).</summary>
    public string CaDir => Path.Combine(StateDir, "ca");

    /// <summary>Where a node's ztunnel keeps its last known state across restarts.</summary>
    public string NodeStateCache(string node) => Path.Combine(NodesDir, node + ".state.json");
    public string NodeCertificateCache(string node) => Path.Combine(NodesDir, node + ".certs");
    public string SupervisorLog => Path.Combine(Logs, "supervisor.log");

    /// <summary>Member CA and member certificates (directory 0700, keys 0600).</summary>
    public string TlsDir => Path.Combine(StateDir, "tls");
    public string MemberCaCert => Path.Combine(TlsDir, "member-ca.pem");
    public string MemberCaKey => Path.Combine(TlsDir, "member-ca.key");
    public string MemberCert(string member) => Path.Combine(TlsDir, member + ".pem");
    public string MemberKey(string member) => Path.Combine(TlsDir, member + ".key");

    /// <summary>/var/lib/meshactors/local as root; $XDG_STATE_HOME/meshactors/local (or ~/.local/state/…) otherwise.</summary>
    public static string DefaultStateDir(bool root, Func<string, string?> getEnvironment)
    {
        if (root) return "/var/lib/meshactors/local";
        var state = getEnvironment("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state))
            state = Path.Combine(getEnvironment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(state, "meshactors", "local");
    }
}
