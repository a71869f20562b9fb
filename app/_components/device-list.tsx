import type { SessionWithIdentity } from "@/lib/server/sessions/sessions";
import { describeUserAgent, timeAgo } from "./device-description";
import { SignOutDeviceButton } from "./sign-out-device-buttons";

function DeviceSummary({ session, now }: { session: SessionWithIdentity; now: Date }) {
  const place = session.ipAddress ? `${session.ipAddress}, ` : "";
  return (
    <span className="muted">
      {`${place}signed in `}
      <time dateTime={session.authenticatedAt.toISOString()} title={session.authenticatedAt.toUTCString()}>
        {timeAgo(session.authenticatedAt, now)}
      </time>
    </span>
  );
}

/** The current device first, marked as such, then every other device with its own Sign out button. */
export function DeviceList({ current, others }: { current: SessionWithIdentity; others: SessionWithIdentity[] }) {
  const now = new Date();
  return (
    <ul className="devices" data-testid="devices">
      <li data-testid="current-device">
        <div>
          <strong>{describeUserAgent(current.userAgent)}</strong>
          <span className="badge">This device</span>
          <br />
          <DeviceSummary session={current} now={now} />
        </div>
      </li>
      {others.map((session) => {
        const name = describeUserAgent(session.userAgent);
        return (
          <li key={session.id} data-testid="other-device" data-session-id={session.id}>
            <div>
              <strong>{name}</strong>
              <br />
              <DeviceSummary session={session} now={now} />
            </div>
            <SignOutDeviceButton sessionId={session.id} deviceName={name} />
          </li>
        );
      })}
    </ul>
  );
}
