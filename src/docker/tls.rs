//! TLS to a tcp:// engine, as docker does it: the CA from `--tlscacert`
//! (or the context's ca.pem) when verifying, an optional client certificate
//! and key, and no verification at all for `--tls` / `--tlsverify=false` /
//! a context with SkipTLSVerify. bollard's `connect_with_ssl` needs all three
//! files and always verifies, so this builds the hyper client itself and hands
//! it to bollard as a custom transport.

use std::path::Path;
use std::sync::Arc;

use bollard::Docker;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::context::Tls;
use crate::error::{Error, Result};

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn no_such_file(p: &Path, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        format!("open {}: no such file or directory", p.display())
    } else {
        format!("open {}: {e}", p.display())
    }
}

fn read(p: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(p).map_err(|e| Error::Endpoint(format!("{what}: {}", no_such_file(p, &e))))
}

/// The rustls client configuration for these TLS settings.
pub fn client_config(tls: &Tls) -> Result<ClientConfig> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Endpoint(format!("TLS setup failed: {e}")))?;
    let builder = if tls.verify {
        let Some(ca) = &tls.ca else {
            return Err(Error::Endpoint(
                "--tlsverify needs the engine's CA certificate (--tlscacert or DOCKER_CERT_PATH/ca.pem)".into(),
            ));
        };
        let what = format!("could not read CA certificate \"{}\"", ca.display());
        let pem = read(ca, &what)?;
        let mut roots = RootCertStore::empty();
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| {
                Error::Endpoint(format!(
                    "failed to append certificates from PEM file: \"{}\"",
                    ca.display()
                ))
            })?;
        let (added, _) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(Error::Endpoint(format!(
                "failed to append certificates from PEM file: \"{}\"",
                ca.display()
            )));
        }
        builder.with_root_certificates(roots)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider())))
    };
    match (&tls.cert, &tls.key) {
        (Some(cert), Some(key)) => {
            let what = "Could not load X509 key pair";
            let cert_pem = read(cert, what)?;
            let key_pem = read(key, what)?;
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
                .collect::<std::result::Result<_, _>>()
                .map_err(|_| {
                    Error::Endpoint(format!("{what}: {}: not a PEM certificate", cert.display()))
                })?;
            if chain.is_empty() {
                return Err(Error::Endpoint(format!(
                    "{what}: tls: failed to find any PEM data in certificate input ({})",
                    cert.display()
                )));
            }
            let key_der = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| {
                Error::Endpoint(format!(
                    "{what}: tls: failed to find any PEM data in key input ({})",
                    key.display()
                ))
            })?;
            builder
                .with_client_auth_cert(chain, key_der)
                .map_err(|e| Error::Endpoint(format!("{what}: {e}")))
        }
        (Some(_), None) | (None, Some(_)) => Err(Error::Endpoint(
            "TLS needs both a client certificate and its key (--tlscert and --tlskey)".into(),
        )),
        (None, None) => Ok(builder.with_no_client_auth()),
    }
}

/// A bollard client speaking HTTPS to `addr` (`host:port`).
pub fn connect(
    addr: &str,
    tls: &Tls,
    timeout: u64,
    version: &bollard::ClientVersion,
) -> Result<Docker> {
    let config = client_config(tls)?;
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(super::CONNECT_TIMEOUT));
    let https: HttpsConnector<HttpConnector> = HttpsConnector::from((http, config));
    let client = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(0)
        .build(https);
    let transport = move |req: bollard::BollardRequest| {
        let client = client.clone();
        async move {
            client
                .request(req)
                .await
                .map_err(bollard::errors::Error::from)
        }
    };
    Docker::connect_with_custom_transport(
        transport,
        Some(format!("https://{addr}")),
        timeout,
        version,
    )
    .map_err(|e| Error::Endpoint(format!("TLS setup failed: {e}")))
}

/// `--tls` without `--tlsverify`: encrypted, but any server certificate is
/// accepted (docker's InsecureSkipVerify). Signatures are still checked so the
/// handshake itself is sound.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
