@echo off
chcp 65001 >nul
setlocal
rem 廉政风险自查表处理工具：双击运行。第一次运行时准备运行环境，之后直接处理收件箱。
rem 本文件为 UTF-8（无 BOM）、CRLF 换行。chcp 之前只有英文：cmd.exe 在代码页 936 下
rem 按 GBK 读取 UTF-8 的中文，会把行尾吞进半个汉字里。
rem 本文件所在文件夹：pushd 也能进入网络共享文件夹（\\服务器\共享），cd /d 不能。
pushd "%~dp0" 2>nul
if errorlevel 1 goto nofolder
rem 在压缩包里直接双击时，资源管理器只解出本文件：工具的其他文件都不在
if not exist "pyproject.toml" goto notunpacked
if not exist "pipeline\__main__.py" goto notunpacked
set "LIANZHENG_LAUNCHER=bat"
set "PYTHONUTF8=1"
rem 别的软件设置的 Python 变量会让本工具的 Python 找错库
set "PYTHONHOME="
set "PYTHONPATH="
set "PYTHONSTARTUP="
set "VENV_PY=.venv\Scripts\python.exe"
set "LOCK=.venv-setup.lock"

call :ready
if errorlevel 1 goto setup
goto run

:setup
echo 正在准备运行环境（只在第一次或更新工具后进行），请稍候……
rem 双击了两次时，只有拿到锁文件的窗口安装；另一个窗口打不开锁文件，call 不执行
set "SETUP="
call :install 9>"%LOCK%"
del "%LOCK%" >nul 2>nul
if not defined SETUP goto busy
if "%SETUP%"=="nopython" goto nopython
if "%SETUP%"=="venvfailed" goto venvfailed
if "%SETUP%"=="venvlocked" goto venvlocked
if "%SETUP%"=="installfailed" goto installfailed
if not "%SETUP%"=="ok" goto installfailed

:run
rem 用 python -m 运行，不用 Scripts 里的 .exe：.exe 记着安装时的绝对路径，文件夹移动或改名后就打不开
"%VENV_PY%" -m pipeline process --inbox inbox --config config --out output
set "RC=%ERRORLEVEL%"
echo.
if "%RC%"=="0" goto done
echo 处理没有完成，请按上面的提示修改后再双击 处理.bat。
goto finish
:done
echo 处理完成。结果在 output 文件夹：档案上报区纪委，科室反馈 发回各科室。
:finish
popd
pause
exit /b %RC%

rem ---- 运行环境：.venv 能运行、由现在这个 Python 建立、装的是这一版工具时，ready 返回 0
:ready
call :venv_runs
if errorlevel 1 exit /b 1
fc /b pyproject.toml .venv\pyproject.installed >nul 2>nul
if errorlevel 1 exit /b 1
exit /b 0

rem .venv 的 Python 能启动，且与建立 .venv 的 Python 版本相同（pyvenv.cfg 的 version）：
rem 从别的电脑复制来、Python 已升级到新版本或已卸载时不是，.venv 要重建
:venv_runs
if not exist "%VENV_PY%" exit /b 1
"%VENV_PY%" -c "import pathlib, re, sys; v = re.search(r'(?m)^version\s*=\s*(\d+)\.(\d+)', pathlib.Path(sys.prefix, 'pyvenv.cfg').read_text()); sys.exit(v is None or tuple(map(int, v.groups())) != sys.version_info[:2])" >nul 2>nul
exit /b %ERRORLEVEL%

rem 版本够新（3.11 起）的 Python 才用；微软商店的 python 占位程序、过旧的版本都跳过
:try_python
%* -c "import sys; sys.exit(sys.version_info < (3, 11))" >nul 2>nul
if errorlevel 1 exit /b 1
set "BASE_PY=%*"
exit /b 0

:install
rem 拿到锁之后再看一次：另一个窗口可能刚刚装好
call :ready
if not errorlevel 1 goto installed
call :venv_runs
if not errorlevel 1 goto packages
if exist ".venv\" rmdir /s /q .venv
if exist ".venv\" (set "SETUP=venvlocked" & exit /b 1)
set "BASE_PY="
call :try_python py -3
if not defined BASE_PY call :try_python python
if not defined BASE_PY call :try_python python3
if not defined BASE_PY (set "SETUP=nopython" & exit /b 1)
%BASE_PY% -m venv .venv
if errorlevel 1 (set "SETUP=venvfailed" & exit /b 1)
:packages
if exist "wheelhouse\" goto offline
"%VENV_PY%" -m pip install --quiet --disable-pip-version-check -e .
goto packaged
:offline
"%VENV_PY%" -m pip install --quiet --disable-pip-version-check --no-index --find-links wheelhouse -e .
:packaged
if errorlevel 1 (set "SETUP=installfailed" & exit /b 1)
copy /y pyproject.toml .venv\pyproject.installed >nul
:installed
set "SETUP=ok"
exit /b 0

rem ---- 出错时的说明
:nofolder
echo 无法进入 处理.bat 所在的文件夹："%~dp0"
echo 请把整个工具文件夹复制到本机硬盘（例如 D:\廉政风险自查），再双击其中的 处理.bat。
goto fail

:notunpacked
echo 这个文件夹里只有 处理.bat，没有工具的其他文件：多半是在压缩包里直接双击了它。
echo 请先把收到的压缩包全部解压（右键点压缩包，选“全部解压缩”），再双击解压出来的文件夹里的 处理.bat。
goto fail

:busy
echo 另一个 处理.bat 窗口正在准备运行环境，或者本文件夹不能写入。
echo 如果刚才双击了两次，请等另一个窗口显示处理结果；否则请把整个工具文件夹复制到本机硬盘（例如 D:\廉政风险自查）后再双击 处理.bat。
goto fail

:nopython
echo 没有找到 Python 3.11 或更新的版本（没有安装 Python，或者装的版本过旧）。
echo 请先安装 Python 3.11 或更新版本（安装时勾选 Add Python to PATH），再双击 处理.bat。
goto fail

:venvfailed
echo 无法在本文件夹里建立运行环境（.venv 文件夹），请看上面 Python 的提示。
echo 如果本文件夹在网络共享或 U 盘上，请把整个工具文件夹复制到本机硬盘（例如 D:\廉政风险自查）后再双击 处理.bat。
goto fail

:venvlocked
echo 旧的运行环境（.venv 文件夹）删不掉：可能另一个 处理.bat 窗口还在处理。
echo 请关闭其他 处理.bat 窗口后再双击 处理.bat；仍不行时，请手动删除本文件夹里的 .venv 文件夹。
goto fail

:installfailed
echo.
echo 运行环境安装失败（上面是安装程序的提示）。
if exist "wheelhouse\" goto wheelfailed
echo 这台电脑可能不能上网。请在能上网的电脑上生成离线安装包（make wheelhouse），把 wheelhouse 文件夹放到本文件夹里，再双击 处理.bat。
goto fail

:wheelfailed
"%VENV_PY%" --version
echo 离线安装包 wheelhouse 里缺少这台电脑需要的文件，多半是它为另一个 Python 版本生成（这台电脑的版本见上一行）。
echo 请在能上网的电脑上按这个版本重新生成（例如 Python 3.12：make wheelhouse WHEEL_PLATFORM=win_amd64 WHEEL_PYTHON=3.12），替换本文件夹里的 wheelhouse 后再双击 处理.bat。
goto fail

:fail
popd
pause
exit /b 1
