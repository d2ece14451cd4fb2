using Mesh.Protocol.Identity;

namespace Mesh.Hbone.Tls;

/// <summary>Where an HBONE client gets the SVID of the identity it connects as (the node's certificate store).</summary>
public interface IWorkloadCertificates
{
    /// <summary>The current SVID of <paramref name="id"/>, waiting (bounded) for the first one to be issued.</summary>
    ValueTask<WorkloadCertificate> GetAsync(SpiffeId id, CancellationToken cancellationToken);
}
