import { useEffect, useState } from 'react';

/**
 * False once the server says it cannot send account mail (`mail: false` in /healthz: production
 * on a PostgreSQL server without MAIL_URL or MAIL_DIR), so that no reset link is promised that
 * could never arrive. Until then, and if /healthz cannot be read, true.
 *
 * @example const sendsMail = useServerSendsMail();
 */
export function useServerSendsMail(): boolean {
  const [sendsMail, setSendsMail] = useState(true);
  useEffect(() => {
    let current = true;
    fetch('/healthz', { credentials: 'omit' })
      .then((response) => (response.ok ? (response.json() as Promise<{ mail?: boolean }>) : undefined))
      .then((health) => {
        if (current && health?.mail === false) setSendsMail(false);
      })
      .catch(() => {});
    return () => {
      current = false;
    };
  }, []);
  return sendsMail;
}
