/**
 * The privacy page names the operator from templates/campaign.json (no hard-coded address): the
 * real file's contact is shown, and a different operator in the campaign changes what is shown.
 */
import { render } from '@testing-library/react';
import campaign from '../../templates/campaign.json';

function renderPrivacy() {
  // A fresh module so a mocked campaign.json is read.
  let Page!: () => JSX.Element;
  jest.isolateModules(() => {
    Page = require('../../client/src/pages/privacy/index').default;
  });
  return render(<Page />);
}

describe('privacy page', () => {
  afterEach(() => jest.dontMock('../../templates/campaign.json'));

  it("shows the campaign's operator name and email in 联系我们", () => {
    const { container } = renderPrivacy();
    const text = container.textContent!;
    expect(text).toContain(`活动运营方：${campaign.operator.name}`);
    expect(container.querySelector('#privacy-email')!.textContent).toBe(`邮箱：${campaign.operator.email}`);
    expect(text).toContain(`最迟 ${campaign.retentionMinutes} 分钟后自动删除`);
  });

  it('follows templates/campaign.json: another operator, with phone and address, is what the page shows', () => {
    const operator = { name: '深圳市某某文化传播有限公司', email: 'privacy@szstory.cn', phone: '0755-12345678', address: '深圳市南山区深南大道 1 号' };
    jest.doMock('../../templates/campaign.json', () => ({ ...campaign, operator }));
    const { container } = renderPrivacy();
    const lines = [...container.querySelectorAll('.privacy__line')].map((e) => e.textContent);
    expect(lines).toEqual(expect.arrayContaining([`活动运营方：${operator.name}`, `邮箱：${operator.email}`, `电话：${operator.phone}`, `地址：${operator.address}`]));
    expect(container.textContent).not.toContain('example.com');
  });
});
