/**
 * Small DOM stand-ins for @tarojs/components in jsdom: each renders the plain element a browser
 * build would, forwarding className, id, data-* and onClick, so tests query real DOM.
 */
import React from 'react';

type Props = React.PropsWithChildren<Record<string, any>>;

const passthrough = (props: Props) => {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(props)) {
    if (k === 'className' || k === 'id' || k === 'style' || k.startsWith('data-') || k.startsWith('aria-') || k === 'role') out[k] = v;
  }
  if (props.onClick) out.onClick = props.onClick;
  return out;
};

const make = (tag: string, displayName: string) => {
  const C = ({ children, ...rest }: Props) => React.createElement(tag, passthrough(rest), children);
  C.displayName = displayName;
  return C;
};

export const View = make('div', 'View');
export const Text = make('span', 'Text');
export const ScrollView = make('div', 'ScrollView');
export const Swiper = make('div', 'Swiper');
export const SwiperItem = make('div', 'SwiperItem');
export const Button = ({ children, disabled, openType, onAgreePrivacyAuthorization, ...rest }: Props) => {
  const out: Record<string, any> = { ...passthrough(rest), disabled, 'data-open-type': openType };
  // WeChat fires bindagreeprivacyauthorization when an open-type="agreePrivacyAuthorization" button is tapped.
  if (openType === 'agreePrivacyAuthorization' && onAgreePrivacyAuthorization) {
    out.onClick = (e: unknown) => {
      onAgreePrivacyAuthorization(e);
      rest.onClick?.(e);
    };
  }
  return React.createElement('button', out, children);
};
export const Image = ({ src, mode, ...rest }: Props) => React.createElement('img', { ...passthrough(rest), src, 'data-mode': mode });
export const Checkbox = ({ checked, value, ...rest }: Props) =>
  React.createElement('input', { ...passthrough(rest), type: 'checkbox', defaultChecked: checked, value });
export const Progress = ({ percent, ...rest }: Props) => React.createElement('progress', { ...passthrough(rest), value: percent, max: 100 });
